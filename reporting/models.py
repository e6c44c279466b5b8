"""The reporting app's models, one module per sub-domain (Django loads the app's models from here).

periods: reporting periods and progress reports; registry: the "1+4+N" deliverables; insights:
roll-ups, summary documents and exports; final: the consortium's final summary report;
evaluation: the Ministry's scorecards and evaluations. Import from the sub-package that owns a model.
"""

from reporting.closing.models import ClosingDocument  # noqa: F401
from reporting.evaluation.models import (  # noqa: F401
    CriterionScore,
    Evaluation,
    EvaluationCriterion,
    GradeBand,
    ModeratedScore,
    Scorecard,
)
from reporting.final.models import (  # noqa: F401
    Completion,
    FinalReport,
    FinalReportVersion,
    FinalReview,
    OutcomeFigure,
    TaskOutcome,
    TypicalCase,
)
from reporting.insights.models import (  # noqa: F401
    ConsortiumRollup,
    DeliverableRollup,
    ExportJob,
    JobStatus,
    PlanRollup,
    RollupRun,
    SelectionRollup,
    SummaryDocument,
    TaskRollup,
    derived_fk,
)
from reporting.periods.models import (  # noqa: F401
    Evidence,
    PeriodReopening,
    ProgressReport,
    ReportingPeriod,
    ReportReview,
    TaskProgress,
    TaskStatus,
)
from reporting.registry.models import (  # noqa: F401
    DataProduct,
    DataRequirement,
    Dataset,
    DeliverableBase,
    KeyTechnology,
    Scenario,
    Standard,
)
