"""FCM HTTP v1 and APNs against local stand-ins that check each request as documented."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.nudges.providers import (
    ApnsKey,
    ApnsPushProvider,
    FcmPushProvider,
    PushDevice,
    PushMessage,
    ServiceAccount,
    build_push_provider,
    retry_after_seconds,
)
from tests.push_standins import Apns, Fcm

MESSAGE = PushMessage(
    title="Je mag meedoen!",
    body="Hoi Amina, goed nieuws: je mag meedoen met Koken.",
    data={"kind": "match_approved", "nudgeId": "n-1", "targetType": "match", "targetId": "m-1"},
    collapse_id="0b7e8f4e-7f57-4c0b-9a43-3f3c1c7e9d10",
    thread_id="match:m-1",
    ttl_seconds=3 * 24 * 3600,
)
ANDROID = PushDevice("fcm-token-aaaaaaaa", "android")
IPHONE = PushDevice("a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90", "ios")


@pytest.fixture()
def fcm(tmp_path: Path) -> Iterator[tuple[Fcm, FcmPushProvider]]:
    standin = Fcm()
    account = ServiceAccount.from_file(standin.credentials_file(tmp_path))
    yield standin, FcmPushProvider(account, base_url=standin.base_url, timeout=5)
    standin.close()


@pytest.fixture()
def apns(tmp_path: Path) -> Iterator[tuple[Apns, ApnsPushProvider]]:
    standin = Apns()
    key = ApnsKey.from_file(
        standin.key_file(tmp_path),
        key_id=standin.key_id,
        team_id=standin.team_id,
        topic=standin.topic,
    )
    yield standin, ApnsPushProvider(key, base_url=standin.base_url, timeout=5)
    standin.close()


def test_fcm_signs_in_with_the_service_account_and_sends_the_v1_message(fcm) -> None:
    standin, provider = fcm
    out = provider.send([ANDROID, PushDevice("fcm-token-bbbbbbbb", "web")], MESSAGE)
    assert out.delivered == [ANDROID.token, "fcm-token-bbbbbbbb"] and not out.errors
    assert standin.problems == []
    assert standin.token_requests == 1  # one access token for both, kept until it expires
    msg = standin.accepted[0]
    assert msg["token"] == ANDROID.token
    assert msg["notification"] == {"title": MESSAGE.title, "body": MESSAGE.body}
    assert msg["data"] == MESSAGE.data
    assert msg["android"]["collapse_key"] == MESSAGE.collapse_id
    assert msg["android"]["ttl"] == "259200s"
    assert msg["android"]["notification"]["tag"] == "match:m-1"


def test_fcm_unregistered_or_invalid_tokens_are_reported_for_removal(fcm) -> None:
    standin, provider = fcm
    standin.unregistered.add("fcm-token-gone0000")
    standin.invalid.add("fcm-token-bad00000")
    devices = [
        PushDevice("fcm-token-gone0000", "android"),
        PushDevice("fcm-token-bad00000", "android"),
        ANDROID,
    ]
    out = provider.send(devices, MESSAGE)
    assert out.invalid == ["fcm-token-gone0000", "fcm-token-bad00000"]
    assert out.delivered == [ANDROID.token] and out.retry == [] and out.failed == []


def test_fcm_unavailable_is_retried_with_retry_after(fcm) -> None:
    standin, provider = fcm
    standin.fail_first = 1
    out = provider.send([ANDROID], MESSAGE)
    assert out.retry == [ANDROID.token] and out.retry_after == 0.0
    assert "503" in out.errors[0]
    assert provider.send([ANDROID], MESSAGE).delivered == [ANDROID.token]


def test_fcm_gets_a_new_access_token_when_the_old_one_is_refused(fcm) -> None:
    standin, provider = fcm
    provider.send([ANDROID], MESSAGE)
    standin.revoke_next = True
    assert provider.send([ANDROID], MESSAGE).delivered == [ANDROID.token]
    assert standin.token_requests == 2 and len(standin.accepted) == 2


def test_apns_speaks_http2_with_the_documented_headers_and_payload(apns) -> None:
    standin, provider = apns
    out = provider.send([IPHONE], MESSAGE)
    assert out.delivered == [IPHONE.token] and not out.errors
    assert standin.problems == []
    (got,) = standin.accepted
    headers = got["headers"]
    assert headers[":path"] == f"/3/device/{IPHONE.token}"
    assert headers["apns-topic"] == "org.meedoen.app"
    assert headers["apns-push-type"] == "alert"
    assert headers["apns-priority"] == "10"
    assert headers["apns-collapse-id"] == MESSAGE.collapse_id
    assert got["body"]["aps"] == {
        "alert": {"title": MESSAGE.title, "body": MESSAGE.body},
        "sound": "default",
        "thread-id": "match:m-1",
    }
    assert got["body"]["targetId"] == "m-1"
    # HTTP/2 over one connection: a second message reuses the provider token and connection
    provider.send([IPHONE], MESSAGE)
    assert len(standin.provider_tokens) == 1


def test_apns_gone_and_bad_tokens_are_reported_for_removal(apns) -> None:
    standin, provider = apns
    gone, bad = "0" * 64, "1" * 64
    standin.gone.add(gone)
    standin.bad.add(bad)
    out = provider.send([PushDevice(gone, "ios"), PushDevice(bad, "ios"), IPHONE], MESSAGE)
    assert out.invalid == [gone, bad] and out.delivered == [IPHONE.token]


def test_apns_unavailable_is_retried_and_an_expired_provider_token_renewed(apns) -> None:
    standin, provider = apns
    standin.fail_first = 1
    out = provider.send([IPHONE], MESSAGE)
    assert out.retry == [IPHONE.token] and "503" in out.errors[0]
    provider.token.forget()
    standin.expire_tokens_before = 10**12  # every token so far counts as expired
    out = provider.send([IPHONE], MESSAGE)
    assert out.retry == [IPHONE.token]  # renewed once, still refused: tried again later
    standin.expire_tokens_before = 0
    assert provider.send([IPHONE], MESSAGE).delivered == [IPHONE.token]


def test_retry_after_as_seconds_or_date() -> None:
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None


def test_configuration_by_environment_routes_iphones_to_apns(tmp_path: Path, fcm, apns) -> None:
    fcm_standin, _ = fcm
    apns_standin, _ = apns
    env = {
        "FCM_CREDENTIALS_FILE": str(fcm_standin.credentials_file(tmp_path)),
        "FCM_BASE_URL": fcm_standin.base_url,
        "APNS_KEY_FILE": str(apns_standin.key_file(tmp_path)),
        "APNS_KEY_ID": apns_standin.key_id,
        "APNS_TEAM_ID": apns_standin.team_id,
        "APNS_TOPIC": apns_standin.topic,
        "APNS_BASE_URL": apns_standin.base_url,
    }
    provider = build_push_provider("fcm,apns", None, env)
    out = provider.send([ANDROID, IPHONE], MESSAGE)
    assert sorted(out.delivered) == sorted([ANDROID.token, IPHONE.token])
    assert len(fcm_standin.accepted) == 1 and len(apns_standin.accepted) == 1
    with pytest.raises(ValueError, match="APNS_TOPIC"):
        build_push_provider("apns", None, {k: v for k, v in env.items() if k != "APNS_TOPIC"})


def test_credentials_are_never_logged(fcm, apns, caplog) -> None:
    fcm_standin, fcm_provider = fcm
    apns_standin, apns_provider = apns
    caplog.set_level(logging.DEBUG)
    fcm_standin.fail_first = 1
    apns_standin.fail_first = 1
    for _ in range(2):
        fcm_provider.send([ANDROID], MESSAGE)
        apns_provider.send([IPHONE], MESSAGE)
    fcm_standin.revoke_next = True
    errors = (
        fcm_provider.send([ANDROID], MESSAGE).errors + apns_provider.send([IPHONE], MESSAGE).errors
    )
    logged = caplog.text + " ".join(errors) + repr(fcm_provider) + repr(apns_provider)
    logged += repr(fcm_provider.account) + repr(apns_provider.key) + repr(fcm_provider.token)
    secrets = [*fcm_standin.tokens_issued, *apns_standin.provider_tokens]
    secrets += [fcm_standin.private_pem.splitlines()[1], apns_standin.private_pem.splitlines()[1]]
    assert len(secrets) >= 4
    assert [s for s in secrets if s in logged] == []
