"""The report by assigned arm (intention to treat), the power before start, guardrails, export."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from api.experiments import stats
from api.experiments.enrolment import eligible_people
from api.experiments.models import Experiment, ExperimentArm
from api.experiments.outcomes import (
    GUARDRAILS,
    OUTCOMES,
    ArmCell,
    baseline_rate,
    per_arm,
    per_person,
)
from api.experiments.texts import LANGUAGES, TEXTS, say

MIN_CELL = stats.MIN_CELL
ANALYSIS = TEXTS["analysis"]  # in English in the export for researchers


def power(
    session: Session, exp: Experiment, arms: list[ExperimentArm], *, now: datetime
) -> dict[str, Any]:
    """What the eligible population can detect on the primary outcome (alpha split over arms)."""
    people = eligible_people(session, exp, at=now)
    ordered = sorted(arms, key=lambda a: (not a.is_control, a.key))
    sizes = stats.planned_sizes(len(people), [a.weight for a in ordered])
    per_arm_n = {a.key: n for a, n in zip(ordered, sizes, strict=True)}
    control_n = sizes[0]
    arm_n = min(sizes[1:]) if len(sizes) > 1 else 0
    outcome = OUTCOMES[exp.primary_outcome]
    n, base, sd = baseline_rate(
        session,
        user_ids=[p["user_id"] for p in people],
        outcome=outcome.key,
        start=now - timedelta(days=exp.horizon_days),
        end=now,
    )
    comparisons = max(1, len(arms) - 1)
    if outcome.kind == "rate":
        result = stats.mde_rate(base or 0.0, control_n, arm_n, comparisons)
    else:
        result = stats.mde_mean(base or 0.0, sd or 0.0, control_n, arm_n, comparisons)
    return {
        "outcome": outcome.key,
        "kind": outcome.kind,
        "eligible": len(people),
        "per_arm": per_arm_n,
        "baseline_n": n,
        "baseline": base,
        "sd": sd,
        "alpha": result.alpha,
        "power": result.power,
        "mde": result.mde,
        "planned_sample_size": sum(sizes),
        "computed_at": now.isoformat(),
    }


def _shown(count: int | None) -> int | None:
    """A count of people, or None when it is under MIN_CELL (withheld)."""
    if count is None or count < MIN_CELL:
        return None
    return count


def _cell_ok(cell: ArmCell, kind: str) -> bool:
    if cell.n < MIN_CELL:
        return False
    if kind == "rate":
        assert cell.events is not None
        return cell.events >= MIN_CELL and cell.n - cell.events >= MIN_CELL
    return cell.mean is not None and cell.sd is not None


def report(
    session: Session,
    exp: Experiment,
    arms: list[ExperimentArm],
    *,
    now: datetime,
    language: str = "nl",
) -> dict[str, Any]:
    """People per arm, the sample-ratio check, each outcome per arm against control, a summary
    in `language` (Dutch for a language we lack)."""
    ordered = sorted(arms, key=lambda a: (not a.is_control, a.key))
    control = ordered[0]
    keys = [exp.primary_outcome, *[o for o in exp.secondary_outcomes if o != exp.primary_outcome]]
    data = per_arm(
        session, experiment_id=exp.id, horizon_days=exp.horizon_days, now=now, outcomes=keys
    )
    empty = {"n": 0, "opted_out": 0, "exposed": 0, "cells": {}}
    got = {a.id: data.get(a.id, empty) for a in ordered}
    observed = [got[a.id]["n"] for a in ordered]
    srm = stats.sample_ratio(observed, [a.weight for a in ordered])
    total = sum(observed)
    arm_rows = []
    for a in ordered:
        d = got[a.id]
        n = d["n"]
        arm_rows.append(
            {
                "key": a.key,
                "name": a.name,
                "is_control": a.is_control,
                "weight": a.weight,
                "n": _shown(n),
                "expected_share": a.weight / sum(x.weight for x in ordered),
                "share": n / total if total and _shown(n) else None,
                "opted_out": _shown(d["opted_out"]),
                "opt_out_rate": d["opted_out"] / n if _shown(d["opted_out"]) else None,
                "exposed": _shown(d["exposed"]),
                "exposure_rate": d["exposed"] / n if _shown(d["exposed"]) else None,
                "stopped_at": a.stopped_at,
                "stop_reason": a.stop_reason,
            }
        )
    outcomes = [
        _outcome_rows(key, ordered, control, got, primary=key == exp.primary_outcome)
        for key in keys
    ]
    result = {
        "experiment_id": exp.id,
        "status": exp.status,
        "as_of": now,
        "min_cell": MIN_CELL,
        "people": _shown(total),
        "arms": arm_rows,
        "sample_ratio": {
            "chi2": srm.chi2,
            "p_value": srm.p_value,
            "flagged": srm.flagged,
            "threshold": stats.SRM_ALPHA,
        },
        "outcomes": outcomes,
    }
    language = language if language in LANGUAGES else "nl"
    result["analysis"] = say(language, "analysis")
    result["summary"] = _summary(language, exp, result)
    return result


def _outcome_rows(
    key: str,
    ordered: list[ExperimentArm],
    control: ExperimentArm,
    got: dict[Any, dict[str, Any]],
    *,
    primary: bool,
) -> dict[str, Any]:
    outcome = OUTCOMES[key]
    empty = ArmCell(0, 0 if outcome.kind == "rate" else None, None, None)
    cells = {a.id: got[a.id]["cells"].get(key, empty) for a in ordered}
    c = cells[control.id]
    control_ok = _cell_ok(c, outcome.kind)
    rows: list[dict[str, Any]] = []
    for a in ordered:
        cell = cells[a.id]
        ok = _cell_ok(cell, outcome.kind)
        row: dict[str, Any] = {
            "arm": a.key,
            "n": cell.n if ok else None,
            "value": None,
            "events": None,
            "sd": None,
            "difference": None,
            "ci_low": None,
            "ci_high": None,
            "p_value": None,
            "p_holm": None,
            "withheld": not ok,
        }
        if ok:
            if outcome.kind == "rate":
                assert cell.events is not None
                row.update(events=cell.events, value=cell.events / cell.n)
            else:
                row.update(value=cell.mean, sd=cell.sd)
        if ok and control_ok and not a.is_control:
            if outcome.kind == "rate":
                assert cell.events is not None and c.events is not None
                comp = stats.compare_rates(cell.events, cell.n, c.events, c.n)
            else:
                assert cell.mean is not None and cell.sd is not None
                assert c.mean is not None and c.sd is not None
                comp = stats.compare_means(cell.mean, cell.sd, cell.n, c.mean, c.sd, c.n)
            row.update(
                difference=comp.difference, ci_low=comp.low, ci_high=comp.high, p_value=comp.p_value
            )
        rows.append(row)
    compared = [r for r in rows if r["p_value"] is not None]
    for r, adjusted in zip(compared, stats.holm([r["p_value"] for r in compared]), strict=True):
        r["p_holm"] = adjusted
    return {"outcome": key, "kind": outcome.kind, "primary": primary, "arms": rows}


def _local(text: str, lang: str) -> str:
    """A decimal point as the language writes it (Dutch: a comma)."""
    return text.replace(".", ",") if lang == "nl" else text


def _fmt(value: float, kind: str, *, signed: bool = True) -> str:
    number = value * 100 if kind == "rate" else value
    text = f"{number:+.1f}" if signed else f"{abs(number):.1f}"
    return text.replace("-", "\u2212")


def _summary(lang: str, exp: Experiment, result: dict[str, Any]) -> list[str]:
    """Plain words; a difference is only called when its interval excludes zero after Holm."""
    lines = []
    if exp.status == "running":
        lines.append(say(lang, "summary.running"))
    if result["sample_ratio"]["flagged"]:
        lines.append(
            say(lang, "summary.srm", p=_local(f"{result['sample_ratio']['p_value']:.2g}", lang))
        )
    names = {a["key"]: a["name"] for a in result["arms"]}
    for a in result["arms"]:
        if a["stop_reason"] and a["stop_reason"].startswith("guardrail:"):
            metric = say(lang, f"guardrail.{a['stop_reason'].split(':', 1)[1]}")
            lines.append(say(lang, "summary.guardrail", arm=a["name"], metric=metric))
    primary = result["outcomes"][0]
    kind = primary["kind"]
    label = say(lang, f"outcome.{primary['outcome']}")
    unit = say(lang, f"unit.{OUTCOMES[primary['outcome']].unit}")
    for row in primary["arms"]:
        arm = names[row["arm"]]
        if any(a["key"] == row["arm"] and a["is_control"] for a in result["arms"]):
            continue
        if row["difference"] is None:
            lines.append(say(lang, "summary.withheld", arm=arm, outcome=label))
            continue
        clear = row["ci_low"] > 0 or row["ci_high"] < 0
        numbers = {
            "arm": arm,
            "outcome": label,
            "unit": unit,
            "low": _local(_fmt(row["ci_low"], kind), lang),
            "high": _local(_fmt(row["ci_high"], kind), lang),
        }
        if not clear:
            lines.append(
                say(
                    lang,
                    "summary.no_difference",
                    diff=_local(_fmt(row["difference"], kind), lang),
                    **numbers,
                )
            )
        elif row["p_holm"] >= stats.ALPHA:  # the interval is per arm; Holm is across arms
            lines.append(
                say(
                    lang,
                    "summary.not_after_holm",
                    diff=_local(_fmt(row["difference"], kind), lang),
                    p=_local(f"{row['p_holm']:.2g}", lang),
                    **numbers,
                )
            )
        else:
            lines.append(
                say(
                    lang,
                    "summary.difference",
                    arm=arm,
                    outcome=label,
                    direction=say(
                        lang, "summary.higher" if row["difference"] > 0 else "summary.lower"
                    ),
                    diff=_local(_fmt(row["difference"], kind, signed=False), lang),
                    unit=unit,
                    low=_local(_fmt(row["ci_low"], kind), lang),
                    high=_local(_fmt(row["ci_high"], kind), lang),
                    p=_local(f"{row['p_holm']:.2g}", lang),
                )
            )
    return lines


def breached(
    session: Session, exp: Experiment, arms: list[ExperimentArm], *, now: datetime
) -> dict[Any, str]:
    """Arms (not control, still going) past a guardrail: arm id -> metric."""
    rails = {g["metric"]: float(g["threshold"]) for g in exp.guardrails}
    if not rails:
        return {}
    data = per_arm(
        session,
        experiment_id=exp.id,
        horizon_days=exp.horizon_days,
        now=now,
        outcomes=[],
        guardrails=list(rails),
    )
    out: dict[Any, str] = {}
    for a in arms:
        if a.is_control or a.stopped_at is not None or a.id not in data:
            continue
        for metric, threshold in rails.items():
            cell = data[a.id]["cells"][f"g_{metric}"]
            if cell.n < MIN_CELL:
                continue
            if GUARDRAILS[metric].kind == "rate":
                assert cell.events is not None
                worse = cell.events / cell.n > threshold
            else:
                worse = cell.mean is not None and cell.mean < -threshold
            if worse:
                out[a.id] = metric
                break
    return out


def pseudonym(salt: str, value: str) -> str:
    """A stable code for a person or coach in one experiment's export (not reversible)."""
    return hmac.new(salt.encode(), value.encode(), hashlib.sha256).hexdigest()[:16]


_COACH = re.compile(r"coach=([0-9a-f-]{36})")


def export_rows(
    session: Session, exp: Experiment, arms: list[ExperimentArm], *, now: datetime
) -> list[dict[str, Any]]:
    """Per person: pseudonym, arm, strata (coach pseudonymised), opted out, exposed, outcomes."""
    keys = [exp.primary_outcome, *[o for o in exp.secondary_outcomes if o != exp.primary_outcome]]
    by_id = {a.id: a.key for a in arms}
    rows = per_person(
        session, experiment_id=exp.id, horizon_days=exp.horizon_days, now=now, outcomes=keys
    )
    out = []
    for r in rows:
        stratum = _COACH.sub(lambda m: "coach=" + pseudonym(exp.salt, m[1]), r["stratum"])
        outcomes = {}
        for k in keys:
            value = r[k]
            outcomes[k] = (
                None
                if value is None
                else (float(value) if OUTCOMES[k].kind == "mean" else bool(value))
            )
        out.append(
            {
                "person": pseudonym(exp.salt, str(r["user_id"])),
                "user_id": r["user_id"],  # for the audit trail only; never in the response
                "arm": by_id[r["arm_id"]],
                "stratum": stratum,
                "opted_out": bool(r["opted_out"]),
                "exposed": bool(r["exposed"]),
                "outcomes": outcomes,
            }
        )
    return out
