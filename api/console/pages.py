"""Sign-in, sign-out, the language switch and the start page."""

from __future__ import annotations

from flask import g, redirect, request, url_for
from werkzeug.wrappers import Response

from api.console import forms, web
from api.console.blueprint import HOME, bp, render
from api.console.i18n import LANG_COOKIE, LANGUAGES, t
from api.db import get_session
from api.errors import InvalidInput, NotFound, Unauthorized
from api.ratelimit import (
    LOGIN_PER_ACCOUNT,
    LOGIN_PER_ADDRESS,
    RESET_PER_ADDRESS,
    client_address,
    limiter,
)
from api.signin import service as signin
from api.signin.schemas import LoginSchema, SetPasswordSchema


def _form_account() -> str:
    """The same per-account key the API's sign-in uses, read from the form."""
    import hashlib

    account = str(request.form.get("email") or "").strip().lower()[:254]
    return "account:" + hashlib.sha256(account.encode()).hexdigest()[:32]


def _only_posts() -> bool:
    return request.method != "POST"


@bp.route("", methods=["GET"])
@bp.route("/", methods=["GET"])
def home() -> Response:
    signed = g.get("console")
    if signed is None:
        return redirect(url_for("console.login"))
    return redirect(url_for(HOME[signed.actor.role]))


# Shared with POST /v1/auth/login (scope "auth.login"): the console is no way around its limits.
@bp.route("/inloggen", methods=["GET", "POST"])
@limiter.shared_limit(
    LOGIN_PER_ADDRESS, scope="auth.login", key_func=client_address, exempt_when=_only_posts
)
@limiter.shared_limit(
    LOGIN_PER_ACCOUNT, scope="auth.login", key_func=_form_account, exempt_when=_only_posts
)
def login() -> Response:
    """E-mail and password, checked by the API's sign-in service."""
    next_url = web.safe_next(request.values.get("next"))
    if request.method == "GET":
        if g.get("console") is not None:
            return redirect(next_url or url_for("console.home"))
        return render(
            "login.html",
            values={},
            next_url=next_url,
            timed_out=bool(g.get("console_timed_out")) or request.args.get("verlopen") == "1",
            signed_out=request.args.get("uit") == "1",
            password_set=request.args.get("wachtwoord") == "1",
        )
    web.check_csrf(before_sign_in=True)
    values = {"email": (request.form.get("email") or "").strip()}
    session = get_session()
    try:
        body = forms.load(
            LoginSchema(),
            forms.collect(request.form, fields=("email",))
            | {"password": request.form.get("password") or ""},
        )
        token = web.sign_in(session, email=body["email"], password=body["password"])
    except forms.FormInvalid as exc:
        return render("login.html", status=400, values=values, errors=exc.errors, next_url=next_url)
    except Unauthorized:
        return render(
            "login.html",
            status=401,
            values=values,
            errors={"form": t("login.wrong")},
            next_url=next_url,
        )
    except web.RecipientAccount:
        return render("login.html", status=403, values=values, recipient=True, next_url=next_url)
    response = redirect(next_url or url_for("console.home"), code=303)
    web.set_session_cookie(response, token)
    return response


# Shared with POST /v1/auth/reset (scope "auth.reset"): one count for guessing at codes.
@bp.route("/wachtwoord", methods=["GET", "POST"])
@limiter.shared_limit(
    RESET_PER_ADDRESS, scope="auth.reset", key_func=client_address, exempt_when=_only_posts
)
def set_password() -> Response:
    """Staff who got a one-time code (a new account, or a forgotten password) choose a password."""
    if request.method == "GET":
        return render("set_password.html", values={})
    web.check_csrf(before_sign_in=True)
    values = {k: (request.form.get(k) or "").strip() for k in ("code", "email")}
    try:
        body = forms.load(
            SetPasswordSchema(),
            forms.collect(request.form, fields=("code", "email"))
            | {"password": request.form.get("password") or ""},
        )
        signin.set_password_with_code(
            get_session(), code=body["code"], email=body["email"], password=body["password"]
        )
    except forms.FormInvalid as exc:
        return render("set_password.html", status=400, values=values, errors=exc.errors)
    except InvalidInput as exc:
        errors = forms.errors_from_domain(exc)
        return render("set_password.html", status=400, values=values, errors=errors)
    return redirect(url_for("console.login", wachtwoord="1"), code=303)


@bp.route("/uitloggen", methods=["POST"])
@web.staff()
def logout() -> Response:
    web.sign_out(get_session())
    response = redirect(url_for("console.login", uit="1"), code=303)
    web.clear_session_cookie(response)
    return response


@bp.route("/taal/<lang>", methods=["GET"])
def language(lang: str) -> Response:
    """Switch between Dutch and English; back to the page the person was on."""
    if lang not in LANGUAGES:
        raise NotFound()
    target = web.safe_next(request.args.get("next")) or url_for("console.home")
    response = redirect(target)
    response.set_cookie(
        LANG_COOKIE,
        lang,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
        path=web.COOKIE_PATH,
    )
    return response


@bp.route("/<path:_rest>", methods=["GET", "POST"])
def unknown(_rest: str) -> Response:
    raise NotFound()
