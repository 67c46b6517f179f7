"""What each field means to a person, and example bodies, for the OpenAPI document.

Descriptions live here, by schema and property, rather than beside each marshmallow field, so
one place shows the whole vocabulary; a field's own `metadata={"description": ...}` wins. The
document's tests fail on any property without a description, so a new field needs a line here
(or its own description).
"""

from __future__ import annotations

import re
from typing import Any

# Meaning by property name, wherever it appears (unless the schema's own entry says otherwise).
# `{thing}` is the schema's name in words (e.g. "check in" for CheckIn).
COMMON: dict[str, str] = {
    "id": "The id of this {thing} (UUID)",
    "createdAt": "When this {thing} was created (UTC)",
    "updatedAt": "When this {thing} last changed (UTC)",
    "items": "The entries on this page, in order",
    "nextCursor": "Pass as `cursor` to get the next page; null on the last page",
    "email": "E-mail address, used to sign in",
    "password": "The password (at least 10 characters, not a common one)",
    "recipientId": "The id of the person (recipient) this is about",
    "interests": "Interest keys from GET /interests (e.g. tuinieren)",
    "role": "What the account may do: recipient (uses the app), organizer, coach or admin",
    "address": "Street address where it takes place, as a person would type it",
    "opportunity": "The opportunity this is about",
    "at": "When it happened (UTC)",
    "ladderStep": "Step on the participation ladder, 1 (isolated) to 6 (paid work)",
    "wellbeing": "How the person felt, 1 (bad) to 5 (very good)",
    "expiresAt": "Until when the code can be used (UTC)",
    "description": "What the activity is, in plain words for the person reading it",
    "location": "Where it takes place (WGS84)",
    "slots": "Weekly times it takes place, e.g. tue-morning (local time)",
    "capacity": "How many people can take part at the same time",
    "minDutchLevel": "The Dutch a participant needs at least (CEFR, A0 = none)",
    "teachesLevel": "For a language course: the level it teaches (CEFR); otherwise null",
    "accessibility": "What the place offers, e.g. wheelchair access",
    "monthlyAllowanceEur": "Volunteer allowance per month in euros; null when none",
    "displayName": "The name the person chose to be shown",
    "reasons": "Why it suits the person (up to three), in their language",
    "message": "What the person wrote to their coach with their interest",
    "actorRole": "The role of whoever did it (system: done automatically)",
    "platform": "The kind of phone or browser: ios, android or web",
    "hours": "Hours spent",
    "stepsTowardWork": "Steps toward paid work taken, e.g. cv_written",
    "date": "The day (local date)",
    "step": "Step on the participation ladder, 1 (isolated) to 6 (paid work)",
    "inviteCode": "The one-time invitation code",
    "teamId": "The organiser's team",
    "team": "The organising team",
    "paused": "True: send no nudges at all for now",
    "maxPerWeek": "At most this many nudges a week (0 to 7)",
    "quietHours": "No pushes between these local times; null: no quiet hours",
    "inboxOnly": "Kinds of message that come to the inbox only, without a push on the phone "
    "(every other kind the person receives comes with a push)",
    "preferredLanguage": "Language of texts and messages for this person (nl or en)",
    "travelMode": "How the person gets around: walk, bike or transit",
    "maxDistanceKm": "How far the person will travel, in km (limited by travel mode)",
    "availability": "Weekly times the person is free, e.g. mon-morning (local time)",
    "accessibilityNeeds": "What the person needs from a place, e.g. wheelchair access",
    "dutchLevel": "The person's Dutch (CEFR, A0 = none yet)",
    "goals": "What the person wants to work toward, in their own words",
    "nudgePreferences": "How and when the person wants reminders and suggestions",
    "opportunityId": "The opportunity this is about",
    "score": "How well it fits the person, 0 to 1 (null when not scored)",
    "coachNote": "The coach's note with a suggestion",
    "decisionReason": "Why the coach declined or the organiser rejected, when they did",
    "requestedAt": "When the person said they were interested (UTC)",
    "history": "Every step of this match, oldest first",
    "weights": "How much each part of the fit counts in the feed (sum to about 1)",
    "matchId": "The match these hours belong to; null for hours outside Meedoen",
    "month": "The month (YYYY-MM)",
    "profile": "The person's profile; null when not filled in yet",
    "matches": "The person's matches",
    "checkins": "The person's check-ins, newest first",
    "actorName": "Name of whoever did it",
    "action": "What was done, e.g. read",
    "objectType": "What kind of data it was about",
    "purpose": "Why it was looked at",
    "ladder": "Ladder steps over time: as the person saw it, and as their coach assessed it",
    "code": "What kind of reason this is (stable; for icons and logic)",
    "text": "The reason in words for the person, in their language",
    "name": "Name",
    "status": "Where this {thing} is now",
    "kind": "What sort of {thing} this is (stable)",
    "title": "Short title, shown in lists",
    "note": "A note in free text",
    "reason": "Why, in a few words (shown to the person)",
}

# Meaning by schema, then property.
BY_SCHEMA: dict[str, dict[str, str]] = {
    "Health": {
        "status": "ok when the service answers",
        "database": "ok when the database answers",
    },
    "TokenPair": {
        "accessToken": "Send as `Authorization: Bearer ...` on every call; short-lived",
        "refreshToken": "Exchange once at POST /auth/refresh for a new pair; keep it secret",
    },
    "Register": {"email": "E-mail address the person will sign in with"},
    "InvitationCreate": {
        "recipientName": "The name of the person invited, as the coach knows them",
        "email": "The person's e-mail address, if known (optional)",
        "coachId": "Admins only: the coach whose caseload the person joins",
    },
    "Invitation": {"inviteCode": "Give this code to the person; it works once"},
    "StaffUserCreate": {"name": "The person's full name", "role": "organizer, coach or admin"},
    "StaffAccount": {
        "name": "The person's full name",
        "municipalityId": "The municipality the account belongs to",
        "email": "E-mail address, used to sign in",
    },
    "TranslatedLabel": {"nl": "Dutch (B1) label", "en": "English label"},
    "Interest": {
        "key": "Stable key, used in profiles and opportunities",
        "category": "Key of the group it belongs to",
        "labels": "What to show a person",
    },
    "Point": {"lat": "Latitude (WGS84)", "lon": "Longitude (WGS84)"},
    "Opportunity": {
        "startDate": "First day (local); null: already running",
        "endDate": "Last day (local); null: no end",
        "notReplacingPaidWork": "The organiser confirmed it does not replace paid work",
        "publishedAt": "When it was first published (UTC); null while a draft",
        "status": "draft (only the team sees it), published, paused or closed",
    },
    "OpportunitySummary": {"status": "draft, published, paused or closed"},
    "OpportunityCreate": {"location": "Where it takes place (WGS84, in the Netherlands)"},
    "QuietHours": {"start": "From this local time (HH:MM)", "end": "Until this local time"},
    "Profile": {
        "postcode": "The area of the person's postcode (PC4, e.g. 1094); null when unknown",
        "homeArea": "Centre of the person's postcode area (not their address); null if unknown",
        "sharedContact": "What an organiser may use to reach the person (phone or e-mail)",
        "id": "The person's id",
    },
    "ProfileUpdate": {"postcode": "Dutch postcode; only its area (PC4) is kept"},
    "FeedItem": {"distanceKm": "Distance from the person's home area, in km (one decimal)"},
    "Reason": {},
    "MatchWarning": {
        "code": "What the coach should check (stable)",
        "text": "The warning in words",
    },
    "MatchEvent": {
        "fromStatus": "The state before; null when the match began",
        "toStatus": "The state after",
        "reason": "Why, when a person gave a reason",
    },
    "Match": {"status": "Where the match is (see the matches tag for the steps)"},
    "MatchDecision": {
        "status": "Where the match is (see the matches tag for the steps)",
        "warnings": "Things the coach should know about this decision",
    },
    "OrganizerMatch": {"status": "Where the match is now"},
    "SuggestionCreate": {"note": "A note for the person with the suggestion"},
    "ReasonBody": {"reason": "Why, in a few kind words; the person may read it"},
    "Candidate": {
        "firstName": "The person's first name (nothing more is shared)",
        "status": "approved (waiting for your confirmation), active, completed or rejected",
        "id": "The match id: confirm or reject it with this",
    },
    "InboxMessage": {
        "kind": "What the message is about (the nudge it came from)",
        "title": "Short heading",
        "body": "The message, in the person's language",
        "readAt": "When the person opened it (UTC); null while unread",
    },
    "DeviceCreate": {"pushToken": "The push token the phone's push service gave"},
    "Weights": {
        "interest": "Weight of shared interests",
        "distance": "Weight of nearness",
        "time": "Weight of overlap with the person's free times",
        "ladder": "Weight of being one step up the person's ladder",
        "language": "Weight of a language course at the person's level",
        "freshness": "Weight of being new",
    },
    "CheckIn": {"informalCare": "These hours were informal care at home (mantelzorg)"},
    "CheckInCreate": {"hours": "Hours spent that day (0 to 80, one decimal)"},
    "LadderEntry": {
        "name": "The step's name in Dutch and English",
        "note": "The coach's note with an assessment",
        "at": "When it was recorded (UTC)",
    },
    "LadderHistory": {
        "selfReported": "Steps the person reported in check-ins",
        "coachAssessed": "Steps the coach assessed",
    },
    "LadderAssessmentCreate": {"note": "Why, in a few words (the person can see it)"},
    "MonthHours": {
        "hours": "Hours checked in that month",
        "informalCareHours": "Of those, hours of informal care",
    },
    "WorkStep": {"step": "The step toward work taken", "date": "The day it was taken"},
    "WellbeingPoint": {"date": "The day of the check-in"},
    "Progress": {
        "ladder": "Ladder steps over time",
        "hoursPerMonth": "Hours per month, last months first",
        "totalHours": "All hours checked in",
        "stepsTowardWork": "Steps toward paid work taken, with their dates",
        "wellbeing": "Wellbeing over time",
        "activeMatches": "Matches the person takes part in now",
        "pastMatches": "Matches that ended",
    },
    "CaseloadItem": {
        "flags": "Why this person may need you now",
        "lastCheckinAt": "When the person last checked in (UTC); null: never",
        "waitingRequests": "Requests waiting for your decision",
    },
    "FlagCounts": {
        "requestWaiting": "People with a request waiting for you",
        "wellbeingDropping": "People whose wellbeing is dropping",
        "noCheckinWeeks": "People active somewhere but without a check-in for weeks",
        "inactiveWeeks": "People without any activity for weeks",
        "nudgesIgnored": "People who left several nudges unread",
        "ladderStalled": "People whose ladder step has not moved for months",
        "newOnCaseload": "People new on your caseload",
    },
    "CaseloadPage": {
        "counts": "How many of your people have each flag",
        "total": "How many people are on your caseload (with the filter)",
    },
    "CaseloadPerson": {"name": "The person's name"},
    "TeamRef": {"name": "The team's name, as shown to people"},
    "Policy": {},
    "FunnelRow": {
        "withProfile": "People with a profile",
        "requested": "Matches requested",
        "approved": "Matches approved",
        "active": "Matches started",
        "completed": "Matches completed",
        "movedUpLadder": "People who moved up the ladder",
        "reachedStep5": "People who reached step 5 (paid work with support) or higher",
    },
    "Funnel": {"minCell": "Counts below this are withheld (null), so nobody can be singled out"},
    "AccessLogEntry": {},
    "AuditEntry": {
        "actorId": "The account that did it; null for the system",
        "subjectId": "The person whose data it was",
        "objectId": "The id of what was touched",
        "origin": "Where the request came from (app, console, job)",
    },
    "ExportAccount": {
        "name": "The person's name",
        "lastLoginAt": "When the person last signed in (UTC)",
        "email": "E-mail address; null when not set",
    },
    "ExportCoach": {"name": "Your coach's name"},
    "ExportInvitation": {
        "createdByName": "Who invited you",
        "createdByRole": "Their role",
        "usedAt": "When you used it (UTC)",
        "status": "open, used or expired",
    },
    "ExportSession": {
        "lastUsedAt": "When it was last used (UTC)",
        "revokedAt": "When it ended (UTC); null while it lasts",
        "revokedReason": "Why it ended (logout, refresh-reuse, ...)",
    },
    "ExportNudge": {
        "kind": "What kind of nudge",
        "status": "pending, delivered, dropped (not sent) or dead (failed)",
        "params": "What its text was made from",
    },
    "ExportDevice": {},
    "ExportStoredReply": {
        "yours": "True when it was your own request",
        "statusCode": "The HTTP status it answered",
    },
    "DataExport": {
        "exportedAt": "When this export was made (UTC)",
        "account": "Your account",
        "coach": "Your coach; null when none",
        "invitations": "Invitations made for you",
        "sessions": "Your sign-ins",
        "nudges": "Nudges planned or sent to you",
        "inbox": "Your inbox",
        "devices": "Phones registered for push",
        "accessLog": "Who looked at your data",
    },
}

BY_SCHEMA.update(
    {
        "PlanStep": {
            "id": "The id of this step",
            "kind": "What sort of step, from the short list; null: only `what` says it",
            "what": "The step in plain words; null when `kind` says it",
            "why": "Why it matters to the person",
            "dueOn": "By when (local date)",
            "status": "proposed, agreed, done or dropped",
            "lateDays": "Days past its date while open (0 when not late)",
            "proposedBy": "Who proposed it: the person (recipient) or their coach",
            "withCoach": "The person does it together with the coach",
            "matchId": "The match it is about, if any",
            "opportunityId": "The opportunity it is about, if any",
            "dropReason": "Why it was dropped, in the person's own words",
            "agreedAt": "When both agreed (UTC)",
            "doneAt": "When it was done (UTC)",
            "droppedAt": "When it was dropped (UTC)",
        },
        "PlanStepEvent": {
            "action": "What happened to the step",
            "fromStatus": "The status before; null when the step was proposed",
            "toStatus": "The status after",
            "dueOn": "The date it was due after this event",
            "reason": "Why, when someone gave a reason",
        },
        "PlanStepCreate": {
            "matchId": "The match it is about (optional)",
            "opportunityId": "The opportunity it is about (optional)",
        },
        "PlanCounts": {
            "open": "Steps proposed or agreed, not yet done",
            "done": "Steps done",
            "dropped": "Steps dropped",
        },
        "MonthSteps": {"count": "Plan steps done that month"},
        "StepSuggestion": {"at": "When it was noticed (UTC)"},
    }
)
_OPPORTUNITY_KIND = "What sort of activity: volunteer work, a language course or informal care"
for _opp in ("Opportunity", "OpportunitySummary", "OpportunityCreate", "OpportunityUpdate"):
    BY_SCHEMA.setdefault(_opp, {})["kind"] = _OPPORTUNITY_KIND
BY_SCHEMA["OpportunityDetail"] = dict(BY_SCHEMA["Opportunity"])
_FEEDBACK = {
    "helped": "Did taking part help the person? (their own answer)",
    "again": "Would they do something like it again?",
    "words": "In their own words (optional, private to them and their coach)",
    "answeredAt": "When they answered (UTC)",
}
BY_SCHEMA.update(
    {
        "TokenPair": {
            **BY_SCHEMA["TokenPair"],
            "account": "Who signed in: id, role and the name to greet them by",
        },
        "MyAccount": {
            "municipality": "The municipality the account belongs to",
            "lastLoginAt": "When the person last signed in (UTC)",
        },
        "ResetCode": {"userId": "The account the code is for"},
        "Feedback": dict(_FEEDBACK),
        "FeedbackCreate": dict(_FEEDBACK),
        "TeamCandidate": {
            "firstName": "The person's first name (nothing more is shared)",
            "opportunityTitle": "The title of the opportunity",
            "opportunityId": "The opportunity",
            "id": "The match id: confirm or reject it with this",
        },
        "InboxMessage": {
            **BY_SCHEMA["InboxMessage"],
            "target": "What the message is about: the screen the app opens",
        },
        "InboxCount": {"unread": "Messages not read yet"},
        "NotificationPreferences": {"kinds": "For each kind of message: how to deliver it"},
        "KindChoice": {"kind": "The kind of message"},
        "CheckInUpdate": {"informalCare": "These hours were informal care at home (mantelzorg)"},
    }
)
for _with_feedback in ("Match", "CoachMatch", "MatchDecision"):
    BY_SCHEMA.setdefault(_with_feedback, {})["feedback"] = (
        "The person's feedback after it ended; null until they answer"
    )
BY_SCHEMA.update(
    {
        "Category": {
            "key": "Stable key of the group",
            "labels": "The group's name in Dutch and English",
        },
        "ContactIn": {"phone": "Phone number to call (optional)"},
    }
)
BY_SCHEMA["InterestList"] = {"categories": "The groups interests belong to, in display order"}
for _write in ("OpportunityCreate", "OpportunityUpdate"):
    BY_SCHEMA.setdefault(_write, {})["contact"] = "Who to ask at the place (optional)"
BY_SCHEMA["Progress"].update(
    {
        "stepsDonePerMonth": "Plan steps done per month",
        "plan": "How many plan steps are open, done and dropped",
    }
)
BY_SCHEMA["FlagCounts"].update(
    {
        "stepLateWeeks": "People with an agreed step weeks past its date",
        "noAgreedStep": "People without an agreed step for weeks",
    }
)

_POLICY = {
    "stepDueDaysBefore": "Remind a person this many days before a plan step is due",
    "stepLateWeeks": "An agreed step this many weeks late raises a flag",
    "noAgreedStepWeeks": "No agreed plan step for this many weeks raises a flag",
    "allowanceCapEurMonth": "Coaches are warned when an allowance is above this (euros a month)",
    "requestExpiryDays": "A request nobody decided on expires after this many days",
    "recentDeclineDays": "An opportunity turned down stays out of the feed this many days",
    "autoApproveKinds": "Kinds of opportunity approved without a coach",
    "quietHours": "Default quiet hours, for everyone who set none of their own: no pushes "
    "between these local times",
    "maxNudgesPerWeek": "At most this many nudges per person a week",
    "nudgeKinds": "Kinds of nudge that are switched on",
    "requestWaitingDays": "Coaches hear about a request waiting longer than this",
    "approvedNotStartedDays": "Organisers hear about an approved person not started after this",
    "checkinEveryDays": "Ask for a check-in this often (days)",
    "inactiveWeeks": "No activity for this many weeks raises a flag",
    "ladderStalledMonths": "No ladder move for this many months raises a flag",
    "growthAfterWeeks": "Suggest a step up after this many weeks active",
    "newOpportunityTopN": "Tell people about a new opportunity when it is in their top N",
    "noCheckinWeeks": "Active but no check-in for this many weeks raises a flag",
    "nudgesIgnoredCount": "This many unread nudges in a row raises a flag",
    "newOnCaseloadDays": "A person counts as new on a caseload for this many days",
    "checkinNoteRetentionDays": "Private check-in notes are deleted after this many days",
    "inactiveAccountRetentionDays": "Accounts unused this long are erased",
    "maxRequestsPerDay": "A person may ask for at most this many opportunities a day",
}
# Experiments on nudge strategies (api/experiments): what an admin sets up and reads back.
_TREATMENT = {
    "framing": "Wording of the person's nudges (neutral, social norm, gain, loss aversion)",
    "maxPerWeek": "At most this many nudges a week in this arm (lower than the policy only)",
    "weekday": "Day nudges are sent in this arm, 0 = Monday; null: as the policy says",
    "hour": "Hour of the day (local) nudges are sent in this arm; null: as the policy says",
    "channel": "push: inbox and push as usual; inbox: inbox only, no push",
    "kindsOff": "Kinds of nudge this arm does not send",
    "coachPrompt": "The coach is asked to make contact with people in this arm",
}
_ARM = {
    "key": "Short stable key of the arm",
    "name": "Name of the arm, for the admin",
    "weight": "Allocation weight: arms get people in proportion to their weights",
    "isControl": "The control arm: the municipality's current policy, unchanged",
    "treatment": "What differs for people in this arm (how nudges are given, nothing else)",
    "stoppedAt": "When this arm stopped (a guardrail crossed); null while it runs",
    "stopReason": "Why this arm stopped",
}
_EXPERIMENT_IN = {
    "name": "Short name of the experiment",
    "hypothesis": "What the experiment expects, written before it starts",
    "arms": "The arms, exactly one of them the control",
    "eligibility": "Who of the municipality's people may take part",
    "strata": "Assignment is balanced within these groups (ladder step, coach)",
    "primaryOutcome": "The one outcome the experiment is judged on",
    "horizonDays": "Days after enrolment in which the outcome counts",
    "secondaryOutcomes": "Other outcomes reported beside the primary one",
    "guardrails": "Harms that stop an arm when worse than their threshold",
    "enrolUntil": "Last day newcomers are enrolled (local date)",
    "plannedEnd": "The experiment stops at the end of this day",
    "dpiaReference": "Reference of the data protection impact assessment",
    "ethicsReference": "Reference of the ethics approval",
}
BY_SCHEMA.update(
    {
        "Treatment": _TREATMENT,
        "TreatmentOut": _TREATMENT,
        "Arm": _ARM,
        "ArmOut": _ARM,
        "Eligibility": {
            "ladderSteps": "Only people on these steps of the participation ladder",
            "languages": "Only people who read one of these languages",
            "withCoach": "Only people who have a coach",
        },
        "Guardrail": {
            "metric": "What is watched: opt-outs, muted nudges or a drop in wellbeing",
            "threshold": "Worse than this stops the arm (a share, or points of wellbeing)",
        },
        "ExperimentCreate": _EXPERIMENT_IN,
        "ExperimentUpdate": _EXPERIMENT_IN,
        "PowerCalculation": {
            "outcome": "The outcome the calculation is for (the primary one)",
            "kind": "rate (a share of people) or mean (an average)",
            "eligible": "People eligible now",
            "perArm": "Expected people per arm",
            "baselineN": "People the baseline was measured on",
            "baseline": "The outcome's rate or mean over the last horizon, before the experiment",
            "sd": "Standard deviation of a mean outcome at baseline",
            "alpha": "Significance level of the calculation",
            "power": "Chance to detect an effect of the minimum size",
            "plannedSampleSize": "People the experiment plans to enrol",
            "computedAt": "When this was calculated (UTC)",
        },
        "Experiment": {
            **_EXPERIMENT_IN,
            "id": "The id of this experiment",
            "status": "draft, running or stopped",
            "createdAt": "When it was set up (UTC)",
            "startedAt": "When it started; null for a draft",
            "stoppedAt": "When it stopped; null while it runs",
            "stopReason": "Why it stopped (planned end, by an admin)",
            "power": "Power calculation and minimum detectable effect, before start",
            "enrolled": "People enrolled so far",
        },
        "ExperimentListItem": {
            "primaryOutcome": "The one outcome the experiment is judged on",
            "arms": "The arms, exactly one of them the control",
            "startedAt": "When it started; null for a draft",
            "plannedEnd": "The experiment stops at the end of this day",
        },
        "ReportArm": {
            "key": "Key of the arm",
            "isControl": "The control arm (current policy)",
            "weight": "Allocation weight",
            "n": "People assigned to the arm",
            "expectedShare": "Share of people the weights promise",
            "share": "Share of people the arm really got",
            "optedOut": "People in the arm who opted out (still counted in the arm)",
            "optOutRate": "Share of the arm that opted out",
            "exposed": "People who got or missed a nudge because of the arm",
            "exposureRate": "Share of the arm that was exposed",
            "stoppedAt": "When this arm stopped; null while it runs",
            "stopReason": "Why this arm stopped",
        },
        "SampleRatio": {
            "chi2": "Chi-square statistic of people per arm against the weights",
            "pValue": "p-value of that test",
            "flagged": "True when p is below the threshold: the assignment may be broken",
            "threshold": "The p-value below which a mismatch is flagged",
        },
        "ReportCell": {
            "arm": "Key of the arm",
            "n": "People in the arm with this outcome known",
            "events": "People with the outcome (rates)",
            "sd": "Standard deviation (means)",
            "ciLow": "Lower end of the 95% interval of the difference from control",
            "ciHigh": "Upper end of the 95% interval of the difference from control",
            "pValue": "p-value of the difference from control",
            "pHolm": "p-value after Holm correction across arms",
            "withheld": "True when the cell has under 10 people and is not shown",
        },
        "ReportOutcome": {
            "outcome": "Which outcome",
            "primary": "The primary outcome of the experiment",
            "arms": "Per arm: the estimate and its difference from control",
        },
        "ExperimentReport": {
            "experimentId": "The experiment this report is about",
            "asOf": "Moment the report was computed (UTC)",
            "minCell": "Cells with fewer people than this are withheld",
            "people": "People enrolled in all arms",
            "arms": "People per arm, opt-outs and exposure",
            "sampleRatio": "Check that people were split as the weights say",
            "outcomes": "Per outcome per arm, by assigned arm (intention to treat)",
            "analysis": "How the numbers were computed, in the language of the request",
            "summary": "The findings in plain words, one line each, in the language of the "
            "request (Accept-Language; Content-Language says which)",
        },
        "ExperimentExportRow": {
            "arm": "Assigned arm (also after an opt-out)",
            "stratum": "Group the person was balanced within (pseudonymised)",
            "optedOut": "The person opted out",
            "exposed": "The person got or missed a nudge because of the arm",
        },
        "ExperimentExport": {
            "experimentId": "The experiment the rows are about",
            "rows": "One row per person, without names or contact details",
        },
        "MyExperiment": {
            "about": "What the experiment is about, in plain words",
            "whatDiffers": "What is different for you",
            "enrolledAt": "When you were included",
            "optedOutAt": "When you chose to stop; null if you take part",
            "canOptOut": "You can still choose to stop",
            "optOutHint": "What happens when you stop",
        },
    }
)
BY_SCHEMA["Policy"] = dict(_POLICY)
BY_SCHEMA["PolicyUpdate"] = dict(_POLICY)

_TEAM = {"id": "2b7e1d3c-5a4f-4e8b-9c1d-6f0a2e3b4c5d", "name": "Buurthuis De Meeuw"}
_OPPORTUNITY_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
_MATCH_ID = "4f1c2a8e-7a57-4a1e-9a4c-0d5d7c2b8e11"
_PERSON_ID = "9b2d5c1e-3f4a-4b6c-8d7e-1a2b3c4d5e6f"
_SUMMARY = {
    "id": _OPPORTUNITY_ID,
    "title": "Koffie schenken in het buurthuis",
    "kind": "volunteer",
    "status": "published",
    "address": "Javaplein 21, 1094 HW Amsterdam",
    "team": _TEAM,
}

# Example objects by schema (every request body and the main responses).
EXAMPLES: dict[str, dict[str, Any]] = {
    "ExperimentCreate": {
        "name": "Uitnodigen met een sociale norm",
        "hypothesis": "Hearing that neighbours take part helps more people start an activity.",
        "arms": [
            {"key": "control", "name": "Zoals nu", "weight": 1, "isControl": True},
            {
                "key": "norm",
                "name": "Sociale norm",
                "weight": 1,
                "treatment": {"framing": "social_norm"},
            },
        ],
        "eligibility": {"ladderSteps": [1, 2, 3], "withCoach": True},
        "strata": ["ladder_step"],
        "primaryOutcome": "started_activity",
        "horizonDays": 90,
        "secondaryOutcomes": ["wellbeing_change"],
        "guardrails": [{"metric": "opt_out", "threshold": 0.1}],
        "enrolUntil": "2027-02-28",
        "plannedEnd": "2027-06-30",
        "dpiaReference": "DPIA-2026-14",
        "ethicsReference": "METC-2026-031",
    },
    "ExperimentUpdate": {"hypothesis": "Hearing that neighbours take part helps people start."},
    "Login": {"email": "amina@example.org", "password": "tulpen-op-de-markt-24"},
    "Register": {
        "inviteCode": "K7M2-QX9P-4TZA",
        "email": "amina@example.org",
        "password": "tulpen-op-de-markt-24",
    },
    "TokenPair": {
        "accessToken": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI5YjJkIn0.c2lnbmF0dXJl",
        "refreshToken": "eyJhbGciOiJIUzI1NiJ9.eyJqdGkiOiI3YzllIn0.c2lnbmF0dXJl",
        "role": "recipient",
        "expiresIn": 900,
        "account": {"id": _PERSON_ID, "role": "recipient", "name": "Amina"},
    },
    "Reset": {"resetCode": "R4T7-KQ2M-9XPA", "password": "fietsen-langs-het-ij-31"},
    "PasswordChange": {
        "oldPassword": "tulpen-op-de-markt-24",
        "newPassword": "fietsen-langs-het-ij-31",
    },
    "FeedbackCreate": {
        "helped": True,
        "again": True,
        "words": "Ik heb nieuwe mensen leren kennen.",
    },
    "NotificationPreferences": {"kinds": [{"kind": "request_new", "mode": "summary"}]},
    "CheckInUpdate": {"hours": 3, "note": "Het was een uur langer."},
    "InvitationCreate": {"recipientName": "Amina El Idrissi", "email": "amina@example.org"},
    "StaffUserCreate": {
        "email": "j.devries@buurthuis.example.org",
        "role": "organizer",
        "name": "Jan de Vries",
        "teamId": _TEAM["id"],
    },
    "Point": {"lat": 52.3637, "lon": 4.9395},
    "OpportunityCreate": {
        "kind": "volunteer",
        "title": "Koffie schenken in het buurthuis",
        "description": "Help op dinsdagochtend met koffie en thee voor de buurt. "
        "Geen ervaring nodig.",
        "address": "Javaplein 21, 1094 HW Amsterdam",
        "location": {"lat": 52.3637, "lon": 4.9395},
        "interests": ["koken", "buurt"],
        "slots": ["tue-morning"],
        "capacity": 3,
        "minDutchLevel": "A1",
        "accessibility": ["step_free"],
        "ladderStep": 3,
        "monthlyAllowanceEur": 25.0,
        "notReplacingPaidWork": True,
    },
    "OpportunityUpdate": {"capacity": 4, "slots": ["tue-morning", "thu-morning"]},
    "Opportunity": {
        **_SUMMARY,
        "description": "Help op dinsdagochtend met koffie en thee voor de buurt. "
        "Geen ervaring nodig.",
        "location": {"lat": 52.3637, "lon": 4.9395},
        "interests": ["koken", "buurt"],
        "slots": ["tue-morning"],
        "startDate": None,
        "endDate": None,
        "capacity": 3,
        "placesLeft": 2,
        "minDutchLevel": "A1",
        "teachesLevel": None,
        "accessibility": ["step_free"],
        "ladderStep": 3,
        "monthlyAllowanceEur": 25.0,
        "notReplacingPaidWork": True,
        "schedule": [{"day": "tue", "start": "09:30", "end": "12:00"}],
        "hoursPerWeek": 2.5,
        "organisation": "Buurthuis De Meeuw",
        "contact": {"name": "Jan de Vries", "phone": "020 123 4567", "email": None},
        "directions": "Tram 14 tot het Javaplein; de ingang is naast de bakker.",
        "imageUrl": None,
        "publishedAt": "2026-03-02T09:00:00Z",
        "createdAt": "2026-03-01T15:12:00Z",
        "updatedAt": "2026-03-02T09:00:00Z",
    },
    "ProfileUpdate": {
        "displayName": "Amina",
        "postcode": "1094 HW",
        "travelMode": "bike",
        "maxDistanceKm": 5,
        "interests": ["koken", "tuinieren"],
        "availability": ["tue-morning", "thu-afternoon"],
        "dutchLevel": "A2",
        "nudgePreferences": {
            "maxPerWeek": 2,
            "quietHours": {"start": "21:00", "end": "08:00"},
            "inboxOnly": ["new_opportunity"],
        },
    },
    "Profile": {
        "id": _PERSON_ID,
        "displayName": "Amina",
        "preferredLanguage": "nl",
        "postcode": "1094",
        "homeArea": {"lat": 52.3622, "lon": 4.9401},
        "travelMode": "bike",
        "maxDistanceKm": 5.0,
        "interests": ["koken", "tuinieren"],
        "availability": ["tue-morning", "thu-afternoon"],
        "accessibilityNeeds": [],
        "dutchLevel": "A2",
        "ladderStep": 2,
        "goals": "Meer mensen leren kennen en beter Nederlands spreken",
        "sharedContact": "06 12345678",
        "nudgePreferences": {
            "paused": False,
            "maxPerWeek": 2,
            "quietHours": {"start": "21:00", "end": "08:00"},
            "inboxOnly": ["new_opportunity"],
        },
    },
    "MatchCreate": {"opportunityId": _OPPORTUNITY_ID, "message": "Ik help graag mee!"},
    "SuggestionCreate": {
        "opportunityId": _OPPORTUNITY_ID,
        "note": "Dit past bij je, je kookt graag.",
    },
    "ReasonBody": {"reason": "Er is op dinsdag nog geen begeleiding."},
    "Match": {
        "id": _MATCH_ID,
        "status": "requested",
        "recipientId": _PERSON_ID,
        "opportunity": _SUMMARY,
        "score": 0.82,
        "reasons": [
            {"code": "interest", "text": "Je houdt van koken"},
            {"code": "distance", "text": "1,2 km van huis"},
        ],
        "message": "Ik help graag mee!",
        "coachNote": None,
        "decisionReason": None,
        "requestedAt": "2026-03-03T10:15:00Z",
        "createdAt": "2026-03-03T10:15:00Z",
        "updatedAt": "2026-03-03T10:15:00Z",
    },
    "DeviceCreate": {"platform": "android", "pushToken": "fcm:dGhpcyBpcyBhIHRva2Vu"},
    "CheckInCreate": {
        "date": "2026-03-10",
        "hours": 2.5,
        "matchId": _MATCH_ID,
        "wellbeing": 4,
        "stepsTowardWork": ["cv_made"],
        "informalCare": False,
        "note": "Leuke ochtend gehad.",
    },
    "CheckIn": {
        "id": "0d3b2f6a-1c4e-4d5f-8a9b-7c6d5e4f3a2b",
        "date": "2026-03-10",
        "hours": 2.5,
        "matchId": _MATCH_ID,
        "wellbeing": 4,
        "ladderStep": None,
        "stepsTowardWork": ["cv_made"],
        "informalCare": False,
        "note": "Leuke ochtend gehad.",
        "createdAt": "2026-03-10T16:40:00Z",
        "changeableUntil": "2026-03-24T16:40:00Z",
    },
    "PlanStepCreate": {
        "kind": "make_cv",
        "why": "Dan kan ik solliciteren bij de bibliotheek.",
        "dueWeek": "2026-W14",
        "withCoach": True,
    },
    "PlanStepUpdate": {"status": "done"},
    "LadderAssessmentCreate": {"step": 3, "note": "Gaat nu wekelijks naar het buurthuis."},
    "PolicyUpdate": {
        "weights": {
            "interest": 0.35,
            "distance": 0.25,
            "time": 0.15,
            "ladder": 0.1,
            "language": 0.05,
            "freshness": 0.1,
        },
        "allowanceCapEurMonth": 190.0,
        "requestExpiryDays": 14,
        "recentDeclineDays": 30,
        "autoApproveKinds": ["language_course"],
        "quietHours": {"start": "21:00", "end": "08:00"},
        "maxNudgesPerWeek": 2,
        "nudgeKinds": ["weekly_suggestions", "request_waiting", "checkin_prompt"],
        "requestWaitingDays": 3,
        "approvedNotStartedDays": 14,
        "checkinEveryDays": 14,
        "inactiveWeeks": 6,
        "ladderStalledMonths": 6,
        "growthAfterWeeks": 12,
        "newOpportunityTopN": 5,
        "noCheckinWeeks": 3,
        "nudgesIgnoredCount": 3,
        "newOnCaseloadDays": 14,
        "checkinNoteRetentionDays": 365,
        "inactiveAccountRetentionDays": 730,
        "maxRequestsPerDay": 5,
    },
}


def _words(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()


def describe_schemas(schemas: dict[str, Any]) -> None:
    """Fill in missing property descriptions and schema examples, in place."""
    for name, schema in schemas.items():
        own = BY_SCHEMA.get(name, {})
        for prop, spec in (schema.get("properties") or {}).items():
            if "description" in spec:
                continue
            text = own.get(prop) or COMMON.get(prop)
            if text:
                spec["description"] = text.format(thing=_words(name))
        if name in EXAMPLES and "example" not in schema:
            schema["example"] = EXAMPLES[name]


# --- Response examples: what a client reads, built from the objects above so they agree -------

_NOW = "2026-03-10T16:40:00Z"
_COACH_ID = "5e8f1a2b-3c4d-4e5f-9a0b-1c2d3e4f5a6b"
_MUNICIPALITY = {"id": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "name": "Amsterdam"}
_STEP_ID = "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f"
_EXPERIMENT_ID = "6d7e8f90-1a2b-4c3d-9e4f-5a6b7c8d9e0f"
_REASONS = [
    {"code": "interest", "text": "Je houdt van koken"},
    {"code": "distance", "text": "1,2 km van huis"},
]
_LADDER_ENTRY = {
    "step": 3,
    "name": {"nl": "deelname aan georganiseerde activiteiten", "en": "organised activities"},
    "note": "Gaat nu wekelijks naar het buurthuis.",
    "at": "2026-03-01T10:00:00Z",
}
_LADDER = {"selfReported": [{**_LADDER_ENTRY, "note": None}], "coachAssessed": [_LADDER_ENTRY]}
_ACTIVE_MATCH = {
    **EXAMPLES["Match"],
    "status": "active",
    "history": [
        {
            "fromStatus": None,
            "toStatus": "requested",
            "actorRole": "recipient",
            "reason": None,
            "at": "2026-03-03T10:15:00Z",
        },
        {
            "fromStatus": "requested",
            "toStatus": "approved",
            "actorRole": "coach",
            "reason": None,
            "at": "2026-03-04T09:00:00Z",
        },
        {
            "fromStatus": "approved",
            "toStatus": "active",
            "actorRole": "organizer",
            "reason": None,
            "at": "2026-03-05T14:30:00Z",
        },
    ],
    "feedback": None,
    "updatedAt": "2026-03-05T14:30:00Z",
}
_PLAN_STEP = {
    "id": _STEP_ID,
    "kind": "make_cv",
    "what": None,
    "why": "Dan kan ik solliciteren bij de bibliotheek.",
    "dueOn": "2026-04-05",
    "dueWeek": "2026-W14",
    "status": "agreed",
    "late": False,
    "lateDays": 0,
    "proposedBy": "recipient",
    "waitingFor": None,
    "withCoach": True,
    "matchId": None,
    "opportunityId": None,
    "suggestedDone": None,
    "dropReason": None,
    "agreedAt": "2026-03-12T11:00:00Z",
    "doneAt": None,
    "droppedAt": None,
    "createdAt": "2026-03-11T15:00:00Z",
    "updatedAt": "2026-03-12T11:00:00Z",
    "history": [
        {
            "action": "proposed",
            "fromStatus": None,
            "toStatus": "proposed",
            "actorRole": "recipient",
            "reason": None,
            "dueOn": "2026-04-05",
            "at": "2026-03-11T15:00:00Z",
        },
        {
            "action": "agreed",
            "fromStatus": "proposed",
            "toStatus": "agreed",
            "actorRole": "coach",
            "reason": None,
            "dueOn": None,
            "at": "2026-03-12T11:00:00Z",
        },
    ],
}
_INBOX_MESSAGE = {
    "id": "8e9f0a1b-2c3d-4e5f-8a6b-7c8d9e0f1a2b",
    "kind": "match_approved",
    "title": "Je aanvraag is goedgekeurd",
    "body": "Je coach vindt Koffie schenken in het buurthuis een goed plan. "
    "Het buurthuis neemt contact met je op.",
    "target": {"type": "match", "id": _MATCH_ID},
    "createdAt": "2026-03-04T09:00:00Z",
    "readAt": None,
    "updatedAt": "2026-03-04T09:00:00Z",
}
_MY_EXPERIMENT = {
    "id": _EXPERIMENT_ID,
    "name": "Uitnodigen met een sociale norm",
    "status": "running",
    "about": "We proberen uit welke berichten mensen helpen om mee te doen.",
    "whatDiffers": ["Je berichten zeggen hoeveel buren al meedoen."],
    "enrolledAt": "2026-03-02T08:00:00Z",
    "optedOutAt": None,
    "canOptOut": True,
    "optOutHint": None,
}
_TREATMENT_OUT: dict[str, Any] = {
    "framing": "social_norm",
    "maxPerWeek": None,
    "weekday": None,
    "hour": None,
    "channel": "push",
    "kindsOff": [],
    "coachPrompt": False,
}
_ARMS = [
    {
        "id": "7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b",
        "key": "control",
        "name": "Zoals nu",
        "weight": 1,
        "isControl": True,
        "treatment": {**_TREATMENT_OUT, "framing": "neutral"},
        "stoppedAt": None,
        "stopReason": None,
    },
    {
        "id": "8f9a0b1c-2d3e-4f4a-9b5c-6d7e8f9a0b1c",
        "key": "norm",
        "name": "Sociale norm",
        "weight": 1,
        "isControl": False,
        "treatment": _TREATMENT_OUT,
        "stoppedAt": None,
        "stopReason": None,
    },
]
_POWER = {
    "outcome": "started_activity",
    "kind": "proportion",
    "eligible": 1200,
    "perArm": {"control": 600, "norm": 600},
    "baselineN": 950,
    "baseline": 0.18,
    "sd": None,
    "alpha": 0.05,
    "power": 0.8,
    "mde": 0.063,
    "plannedSampleSize": 1200,
    "computedAt": "2026-03-01T12:00:00Z",
}
_EXPERIMENT = {
    "id": _EXPERIMENT_ID,
    "name": "Uitnodigen met een sociale norm",
    "hypothesis": "Hearing that neighbours take part helps more people start an activity.",
    "status": "running",
    "arms": _ARMS,
    "eligibility": {"ladderSteps": [1, 2, 3], "withCoach": True},
    "strata": ["ladder_step"],
    "primaryOutcome": "started_activity",
    "horizonDays": 90,
    "secondaryOutcomes": ["wellbeing_change"],
    "guardrails": [{"metric": "opt_out", "threshold": 0.1}],
    "enrolUntil": "2027-02-28T23:00:00Z",
    "plannedEnd": "2027-06-30T22:00:00Z",
    "dpiaReference": "DPIA-2026-14",
    "ethicsReference": "METC-2026-031",
    "createdAt": "2026-02-20T10:00:00Z",
    "startedAt": "2026-03-01T12:00:00Z",
    "stoppedAt": None,
    "stopReason": None,
    "registration": {
        "frozenAt": "2026-03-01T12:00:00Z",
        "hypothesis": "Hearing that neighbours take part helps more people start an activity.",
        "primaryOutcome": "started_activity",
        "secondaryOutcomes": ["wellbeing_change"],
        "horizonDays": 90,
        "strata": ["ladder_step"],
        "eligibility": {"ladderSteps": [1, 2, 3], "withCoach": True},
        "guardrails": [{"metric": "opt_out", "threshold": 0.1}],
        "arms": [
            {
                "key": arm["key"],
                "weight": arm["weight"],
                "isControl": arm["isControl"],
                "treatment": arm["treatment"],
            }
            for arm in _ARMS
        ],
        "analysis": "Difference in proportions per arm against control, Holm-corrected.",
        "plannedSampleSize": 1200,
        "power": _POWER,
    },
    "power": _POWER,
    "enrolled": 412,
}
_ACCESS_ENTRY = {
    "at": "2026-03-04T08:59:00Z",
    "actorRole": "coach",
    "actorName": "Sanne Bakker",
    "action": "read",
    "objectType": "profile",
    "purpose": "Beoordelen van een aanvraag",
    "result": "success",
}
_CHECKIN_ID = EXAMPLES["CheckIn"]["id"]

EXAMPLES.update(
    {
        "Health": {"status": "ok", "database": "ok"},
        "MyAccount": {
            "id": _PERSON_ID,
            "role": "recipient",
            "name": "Amina",
            "email": "amina@example.org",
            "municipality": _MUNICIPALITY,
            "team": None,
            "coach": {"id": _COACH_ID, "name": "Sanne Bakker"},
            "language": "nl",
            "lastLoginAt": "2026-03-10T07:55:00Z",
            "createdAt": "2026-02-14T13:20:00Z",
        },
        "ResetCode": {
            "code": "R4T7-KQ2M-9XPA",
            "purpose": "reset",
            "userId": _PERSON_ID,
            "expiresAt": "2026-03-17T16:40:00Z",
        },
        "Invitation": {
            "inviteCode": "K7M2-QX9P-4TZA",
            "recipientId": _PERSON_ID,
            "expiresAt": "2026-03-24T16:40:00Z",
        },
        "StaffAccount": {
            "id": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
            "email": "j.devries@buurthuis.example.org",
            "role": "organizer",
            "name": "Jan de Vries",
            "teamId": _TEAM["id"],
            "municipalityId": _MUNICIPALITY["id"],
            "inviteCode": "H3N8-WD5R-2YKC",
            "expiresAt": "2026-03-24T16:40:00Z",
        },
        "InterestList": {
            "items": [
                {
                    "key": "koken",
                    "category": "eten",
                    "label": "Koken",
                    "labels": {"nl": "Koken", "en": "Cooking"},
                },
                {
                    "key": "tuinieren",
                    "category": "natuur",
                    "label": "Tuinieren",
                    "labels": {"nl": "Tuinieren", "en": "Gardening"},
                },
            ],
            "categories": [
                {
                    "key": "eten",
                    "label": "Eten en drinken",
                    "labels": {"nl": "Eten en drinken", "en": "Food and drink"},
                },
                {"key": "natuur", "label": "Natuur", "labels": {"nl": "Natuur", "en": "Nature"}},
            ],
        },
        "OpportunityPage": {"items": [EXAMPLES["Opportunity"]], "nextCursor": None},
        "OpportunityDetail": {
            **EXAMPLES["Opportunity"],
            "distanceKm": 1.2,
            "reasons": _REASONS,
        },
        "FeedPage": {
            "items": [
                {
                    "opportunity": {**EXAMPLES["Opportunity"], "distanceKm": 1.2},
                    "score": 0.82,
                    "distanceKm": 1.2,
                    "reasons": _REASONS,
                }
            ],
            "nextCursor": "WzAuODIsICI3YzllNjY3OSJd",
            "profileComplete": True,
        },
        "MatchPage": {"items": [_ACTIVE_MATCH], "nextCursor": None},
        "CoachMatchPage": {
            "items": [{**EXAMPLES["Match"], "recipientName": "Amina El Idrissi"}],
            "nextCursor": None,
        },
        "MatchDecision": {
            **EXAMPLES["Match"],
            "status": "approved",
            "coachNote": "Goed plan, veel plezier!",
            "updatedAt": "2026-03-04T09:00:00Z",
            "warnings": [],
        },
        "OrganizerMatch": {
            "id": _MATCH_ID,
            "status": "active",
            "opportunity": _SUMMARY,
            "updatedAt": "2026-03-05T14:30:00Z",
        },
        "CandidateList": {
            "items": [
                {
                    "id": _MATCH_ID,
                    "matchId": _MATCH_ID,
                    "status": "approved",
                    "firstName": "Amina",
                    "contact": "06 12345678",
                }
            ]
        },
        "TeamCandidatePage": {
            "items": [
                {
                    "id": _MATCH_ID,
                    "matchId": _MATCH_ID,
                    "status": "approved",
                    "firstName": "Amina",
                    "contact": "06 12345678",
                    "opportunityId": _OPPORTUNITY_ID,
                    "opportunityTitle": _SUMMARY["title"],
                    "since": "2026-03-04T09:00:00Z",
                }
            ],
            "nextCursor": None,
        },
        "InboxPage": {"items": [_INBOX_MESSAGE], "nextCursor": None},
        "InboxCount": {"unread": 2, "marked": 0},
        "InboxMessage": {**_INBOX_MESSAGE, "readAt": _NOW, "updatedAt": _NOW},
        "Device": {
            "id": "9f0a1b2c-3d4e-4f5a-8b6c-7d8e9f0a1b2c",
            "platform": "android",
            "createdAt": "2026-02-14T13:25:00Z",
        },
        "DeviceList": {
            "items": [
                {
                    "id": "9f0a1b2c-3d4e-4f5a-8b6c-7d8e9f0a1b2c",
                    "platform": "android",
                    "createdAt": "2026-02-14T13:25:00Z",
                }
            ]
        },
        "Policy": {
            **EXAMPLES["PolicyUpdate"],
            "stepDueDaysBefore": 2,
            "stepLateWeeks": 2,
            "noAgreedStepWeeks": 4,
        },
        "CheckInPage": {"items": [EXAMPLES["CheckIn"]], "nextCursor": None},
        "Progress": {
            "ladder": _LADDER,
            "hoursPerMonth": [
                {"month": "2026-02", "hours": 6.0, "informalCareHours": 0.0},
                {"month": "2026-03", "hours": 7.5, "informalCareHours": 2.0},
            ],
            "totalHours": 13.5,
            "stepsTowardWork": [{"step": "cv_made", "date": "2026-03-10"}],
            "wellbeing": [
                {"date": "2026-02-24", "wellbeing": 3},
                {"date": "2026-03-10", "wellbeing": 4},
            ],
            "activeMatches": [_ACTIVE_MATCH],
            "pastMatches": [],
            "stepsDonePerMonth": [{"month": "2026-03", "count": 1}],
            "plan": {"open": 1, "done": 1, "dropped": 0},
        },
        "CaseloadPage": {
            "items": [
                {
                    "recipientId": _PERSON_ID,
                    "displayName": "Amina",
                    "ladderStep": 3,
                    "need": 5,
                    "flags": ["request_waiting"],
                    "lastCheckinAt": _NOW,
                    "waitingRequests": 1,
                }
            ],
            "nextCursor": None,
            "counts": {
                "requestWaiting": 1,
                "wellbeingDropping": 0,
                "noCheckinWeeks": 0,
                "inactiveWeeks": 0,
                "nudgesIgnored": 0,
                "ladderStalled": 0,
                "stepLateWeeks": 0,
                "noAgreedStep": 0,
                "newOnCaseload": 0,
            },
            "total": 1,
        },
        "CaseloadPerson": {
            "recipientId": _PERSON_ID,
            "name": "Amina El Idrissi",
            "profile": EXAMPLES["Profile"],
            "matches": [_ACTIVE_MATCH],
            "checkins": [EXAMPLES["CheckIn"]],
            "ladder": _LADDER,
            "steps": [_PLAN_STEP],
        },
        "LadderEntry": _LADDER_ENTRY,
        "PlanStep": _PLAN_STEP,
        "PlanStepPage": {"items": [_PLAN_STEP], "nextCursor": None},
        "Funnel": {
            "minCell": 10,
            "items": [
                {
                    "month": "2026-03",
                    "withProfile": 240,
                    "requested": 96,
                    "approved": 81,
                    "active": 64,
                    "completed": 12,
                    "answeredDidItHelp": None,
                    "helped": None,
                    "movedUpLadder": 15,
                    "reachedStep5": None,
                    "withAgreedStep": 58,
                    "stepsDone": 33,
                    "suppressed": ["answeredDidItHelp", "helped", "reachedStep5"],
                }
            ],
        },
        "Experiment": _EXPERIMENT,
        "ExperimentPage": {
            "items": [
                {
                    "id": _EXPERIMENT_ID,
                    "name": _EXPERIMENT["name"],
                    "status": "running",
                    "primaryOutcome": "started_activity",
                    "arms": _ARMS,
                    "createdAt": _EXPERIMENT["createdAt"],
                    "startedAt": _EXPERIMENT["startedAt"],
                    "plannedEnd": _EXPERIMENT["plannedEnd"],
                }
            ],
            "nextCursor": None,
        },
        "ExperimentReport": {
            "experimentId": _EXPERIMENT_ID,
            "status": "running",
            "asOf": _NOW,
            "minCell": 10,
            "people": 412,
            "arms": [
                {
                    "key": "control",
                    "name": "Zoals nu",
                    "isControl": True,
                    "weight": 1,
                    "n": 207,
                    "expectedShare": 0.5,
                    "share": 0.502,
                    "optedOut": 3,
                    "optOutRate": 0.014,
                    "exposed": 190,
                    "exposureRate": 0.918,
                    "stoppedAt": None,
                    "stopReason": None,
                },
                {
                    "key": "norm",
                    "name": "Sociale norm",
                    "isControl": False,
                    "weight": 1,
                    "n": 205,
                    "expectedShare": 0.5,
                    "share": 0.498,
                    "optedOut": 4,
                    "optOutRate": 0.02,
                    "exposed": 188,
                    "exposureRate": 0.917,
                    "stoppedAt": None,
                    "stopReason": None,
                },
            ],
            "sampleRatio": {"chi2": 0.01, "pValue": 0.92, "flagged": False, "threshold": 0.001},
            "outcomes": [
                {
                    "outcome": "started_activity",
                    "kind": "proportion",
                    "primary": True,
                    "arms": [
                        {
                            "arm": "control",
                            "n": 207,
                            "value": 0.17,
                            "events": 35,
                            "sd": None,
                            "difference": None,
                            "ciLow": None,
                            "ciHigh": None,
                            "pValue": None,
                            "pHolm": None,
                            "withheld": False,
                        },
                        {
                            "arm": "norm",
                            "n": 205,
                            "value": 0.22,
                            "events": 45,
                            "sd": None,
                            "difference": 0.05,
                            "ciLow": -0.03,
                            "ciHigh": 0.13,
                            "pValue": 0.2,
                            "pHolm": 0.2,
                            "withheld": False,
                        },
                    ],
                }
            ],
            "analysis": "Iedereen telt mee in de groep waarin de loting hem of haar zette "
            "(intention to treat).",
            "summary": ["Het experiment loopt nog: deze cijfers kunnen nog veranderen."],
        },
        "ExperimentExport": {
            "experimentId": _EXPERIMENT_ID,
            "rows": [
                {
                    "person": "p-0001",
                    "arm": "norm",
                    "stratum": "ladder_step=2",
                    "optedOut": False,
                    "exposed": True,
                    "outcomes": {"started_activity": 1, "wellbeing_change": 0.5},
                }
            ],
        },
        "MyExperiments": {"items": [_MY_EXPERIMENT]},
        "MyExperiment": {
            **_MY_EXPERIMENT,
            "status": "running",
            "optedOutAt": _NOW,
            "canOptOut": False,
        },
        "AccessLogPage": {"items": [_ACCESS_ENTRY], "nextCursor": None},
        "AuditPage": {
            "items": [
                {
                    **_ACCESS_ENTRY,
                    "id": "2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a",
                    "actorId": _COACH_ID,
                    "subjectId": _PERSON_ID,
                    "objectId": _PERSON_ID,
                    "origin": "GET /v1/caseload/<uuid:recipient_id>",
                }
            ],
            "nextCursor": None,
        },
        "DataExport": {
            "exportedAt": _NOW,
            "account": {
                "id": _PERSON_ID,
                "email": "amina@example.org",
                "name": "Amina",
                "role": "recipient",
                "createdAt": "2026-02-14T13:20:00Z",
                "lastLoginAt": "2026-03-10T07:55:00Z",
            },
            "coach": {"id": _COACH_ID, "name": "Sanne Bakker"},
            "invitations": [
                {
                    "createdAt": "2026-02-10T10:00:00Z",
                    "createdByName": "Sanne Bakker",
                    "createdByRole": "coach",
                    "expiresAt": "2026-02-24T10:00:00Z",
                    "usedAt": "2026-02-14T13:20:00Z",
                    "status": "used",
                }
            ],
            "sessions": [
                {
                    "createdAt": "2026-03-10T07:55:00Z",
                    "lastUsedAt": _NOW,
                    "revokedAt": None,
                    "revokedReason": None,
                }
            ],
            "profile": EXAMPLES["Profile"],
            "matches": [_ACTIVE_MATCH],
            "checkins": [EXAMPLES["CheckIn"]],
            "ladder": _LADDER,
            "experiments": [_MY_EXPERIMENT],
            "steps": [_PLAN_STEP],
            "nudges": [
                {
                    "kind": "checkin_prompt",
                    "status": "delivered",
                    "createdAt": "2026-03-09T09:00:00Z",
                    "params": {"title": _SUMMARY["title"], "matchId": _MATCH_ID},
                }
            ],
            "inbox": [_INBOX_MESSAGE],
            "devices": [
                {
                    "platform": "android",
                    "createdAt": "2026-02-14T13:25:00Z",
                    "pushToken": "fcm:dGhpcyBpcyBhIHRva2Vu",
                }
            ],
            "storedReplies": [
                {
                    "key": "c1d2e3f4-checkin-2026-03-10",
                    "yours": True,
                    "createdAt": _NOW,
                    "statusCode": 201,
                    "body": {"id": _CHECKIN_ID},
                }
            ],
            "accessLog": [_ACCESS_ENTRY],
        },
    }
)
