"""Every table of the program at its close as one Excel workbook (a sheet a table), read from
``closing_overview`` like the final view and the closing document."""

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.spreadsheets import xlsx_workbook_bytes
from reporting.closing.selectors import closing_catalogue, closing_overview
from tasks_catalog.models import Program

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _groups(rows) -> list[list]:
    return [
        [
            r.label,
            r.pilots,
            r.accepted,
            r.published,
            "、".join(f"{g} {n}" for g, n in r.grade_counts),
        ]
        for r in rows
    ]


def closing_workbook(*, user, program: Program) -> tuple[bytes, str]:
    """(content, file name) of the workbook, as ``user`` may see the program (Ministry: all)."""
    o = closing_overview(user=user, program=program)
    group_headers = [
        _("Pilot consortia"),
        _("Final summaries accepted"),
        _("Evaluations published"),
        _("Grades"),
    ]
    sheets = [
        (
            _("Overview"),
            [_("Figure"), _("Value")],
            [
                [_("Pilot consortia"), o["pilots"]],
                [_("Final summary not started"), o["final_not_started"]],
                *[[f"{_('Final summaries')} · {label}", n] for _s, label, n in o["final_states"]],
                [_("Evaluations published"), o["published"]],
                *[[f"{_('Grade')} · {label}", n] for label, n in o["grades"]],
            ],
        ),
        (_("By province"), [_("Province"), *group_headers], _groups(o["provinces"])),
        (
            _("By implementing-entity type"),
            [_("Implementing-entity type"), *group_headers],
            _groups(o["types"]),
        ),
        (
            _("Grades of the published evaluations"),
            [_("Rank"), _("Consortium"), _("Province"), _("Total score"), _("Grade")],
            [
                [
                    r.rank,
                    r.consortium.name,
                    r.consortium.authority.region_name,
                    float(r.result.total) if r.result.total is not None else None,
                    r.result.grade_label,
                ]
                for r in o["ranking"]
            ],
        ),
        (
            _("Typical cases selected for promotion"),
            [
                _("Title"),
                _("Consortium"),
                _("Application scenario"),
                _("Effect"),
                _("Why it is promoted"),
            ],
            [
                [
                    s.case.title,
                    s.evaluation.consortium.name,
                    s.case.scenario,
                    s.case.effect,
                    s.reason,
                ]
                for s in o["cases"]
            ],
        ),
        *[
            (label, [_("Name"), _("Consortium")], items)
            for label, items in closing_catalogue(program=program, pilots=o["pilot_list"])
        ],
        (
            _("Effective paths, mechanisms and experience"),
            [_("Consortium"), _("Effective paths, mechanisms and experience")],
            [[c.name, text] for c, text in o["paths"]],
        ),
    ]
    name = f"closing-{program.code}-{timezone.localdate().isoformat()}.xlsx"
    return xlsx_workbook_bytes(sheets), name
