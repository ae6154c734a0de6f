//! The closed vocabularies of the data model, stored as their lower-case names.

use sea_orm::entity::prelude::StringLen;

/// Declares a string-backed enum stored by its lower-case name, with serde and
/// (behind the `openapi` feature) poem-openapi support.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $value:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord,
            sea_orm::EnumIter, sea_orm::DeriveActiveEnum,
            serde::Serialize, serde::Deserialize,
        )]
        #[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
        pub enum $name {
            $(
                $(#[$vmeta])*
                #[sea_orm(string_value = $value)]
                #[serde(rename = $value)]
                #[cfg_attr(feature = "openapi", oai(rename = $value))]
                $variant,
            )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored and serialised name.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $value),+
                }
            }

            /// Parses the stored name; `None` for anything else.
            #[must_use]
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($value => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum! {
    /// Administrative level of a GB/T 2260 region.
    RegionLevel { Province = "province", City = "city", County = "county" }
}

string_enum! {
    /// What kind of body a department is.
    DepartmentKind {
        /// 应急管理部门
        EmergencyManagement = "emergency_management",
        /// 消防救援机构
        FireRescue = "fire_rescue",
        Other = "other",
    }
}

string_enum! {
    /// High-risk sectors (item 3 of the 2019 notice).
    Industry {
        CoalMine = "coal_mine",
        NonCoalMine = "non_coal_mine",
        HazardousChemicals = "hazardous_chemicals",
        Fireworks = "fireworks",
        Transport = "transport",
        MetalSmelting = "metal_smelting",
        Fishery = "fishery",
        Other = "other",
    }
}

string_enum! {
    /// Safety risk level (安全风险等级), red to blue.
    RiskLevel {
        /// 重大 (red)
        Major = "major",
        /// 较大 (orange)
        High = "high",
        /// 一般 (yellow)
        Moderate = "moderate",
        /// 低 (blue)
        Low = "low",
    }
}

string_enum! {
    /// Credit risk class (信用风险分类), A best to D worst.
    CreditClass { A = "A", B = "B", C = "C", D = "D" }
}

string_enum! {
    /// Whether an enterprise is operating.
    EnterpriseStatus { Active = "active", Suspended = "suspended", Closed = "closed" }
}

string_enum! {
    /// A user's role; rights follow from it, scope from the user's department.
    Role {
        Admin = "admin",
        Supervisor = "supervisor",
        Inspector = "inspector",
        Department = "department",
        Leader = "leader",
    }
}

string_enum! {
    /// Grade of a hidden hazard (隐患等级).
    HazardGrade { Major = "major", General = "general" }
}

string_enum! {
    /// Where a hidden hazard stands in its rectification (整改):
    /// `open → rectified → verified` (销号), `rectified → open` when sent back.
    /// `overdue` is how an open hazard past its deadline is shown and filtered,
    /// `withdrawn` how a hazard whose finding was withdrawn (`withdrawn_at`) is;
    /// neither is ever stored.
    HazardStatus {
        /// 待整改
        Open = "open",
        /// 已整改, awaiting verification
        Rectified = "rectified",
        /// 已销号
        Verified = "verified",
        /// 逾期未整改
        Overdue = "overdue",
        /// 已撤回: its finding was withdrawn, so it is off the list
        Withdrawn = "withdrawn",
    }
}

string_enum! {
    /// A step of a hazard's rectification, as its history records it.
    HazardStep {
        /// The enterprise's department reports it rectified (整改完成).
        Rectify = "rectify",
        /// A supervisor or the task's inspectors accept it (销号).
        Verify = "verify",
        /// A supervisor or the task's inspectors send it back (退回).
        Reopen = "reopen",
    }
}

string_enum! {
    /// Category of an assessment indicator.
    IndicatorCategory {
        DataSecurity = "data_security",
        Reporting = "reporting",
        RiskManagement = "risk_management",
        HazardManagement = "hazard_management",
        Other = "other",
    }
}

string_enum! {
    /// What an indicator, plan, score or self-assessment is about.
    SubjectKind { Enterprise = "enterprise", Department = "department" }
}

string_enum! {
    /// Lifecycle of a versioned indicator set.
    IndicatorSetStatus { Draft = "draft", Active = "active", Superseded = "superseded" }
}

string_enum! {
    /// Lifecycle of a check plan.
    PlanStatus { Draft = "draft", Active = "active", Paused = "paused", Archived = "archived" }
}

string_enum! {
    /// What started a draw.
    DrawTrigger { Cron = "cron", Manual = "manual" }
}

string_enum! {
    /// How a draw's seed was chosen.
    SeedSource {
        /// From the operating system's random number generator.
        Random = "random",
        /// Typed in by an operator, with a reason.
        Given = "given",
        /// Derived from public text (a lottery result) announced before the draw.
        PublicText = "public_text",
        /// Random or given, not told apart: drawn before provenance was recorded.
        Unrecorded = "unrecorded",
    }
}

string_enum! {
    /// Lifecycle of a check task.
    TaskStatus {
        Assigned = "assigned",
        InProgress = "in_progress",
        Submitted = "submitted",
        Reviewed = "reviewed",
        Published = "published",
        Returned = "returned",
        /// A redraw replaced the task's draw before its work was accepted.
        Superseded = "superseded",
        /// A supervisor took this one target out of its draw (补抽 may replace it).
        Cancelled = "cancelled",
    }
}

string_enum! {
    /// Why a supervisor cancelled one task of a draw.
    CancelReason {
        /// The target was closed or stopped production (注销/停产).
        Closed = "closed",
        /// The target cannot be found (查无下落).
        NotFound = "not_found",
        /// A conflict of interest came to light (发现回避情形).
        ConflictFound = "conflict_found",
        /// Another reason, given in the note.
        Other = "other",
    }
}

string_enum! {
    /// An inspector's part in a task.
    InspectorRole { Lead = "lead", Member = "member" }
}

string_enum! {
    /// Lifecycle of a self-assessment.
    AssessmentStatus { Draft = "draft", Submitted = "submitted" }
}

string_enum! {
    /// Kind of an incident (灾害事故).
    IncidentKind { Accident = "accident", NaturalDisaster = "natural_disaster" }
}

string_enum! {
    /// Severity of an incident, from the figures or as stated.
    Severity {
        /// 特别重大
        EspeciallySerious = "especially_serious",
        /// 重大
        Serious = "serious",
        /// 较大
        RelativelySerious = "relatively_serious",
        /// 一般
        Ordinary = "ordinary",
    }
}

string_enum! {
    /// Stage of an incident report: 初报, 续报, 终报.
    ReportStage { Initial = "initial", FollowUp = "follow_up", Final = "final" }
}

string_enum! {
    /// Grade of an overall score.
    Grade {
        /// 优秀
        Excellent = "excellent",
        /// 良好
        Good = "good",
        /// 合格
        Pass = "pass",
        /// 不合格
        Fail = "fail",
    }
}

string_enum! {
    /// Who an accountability item holds to account.
    AccountableKind { Department = "department", Inspector = "inspector", Enterprise = "enterprise" }
}

string_enum! {
    /// Why an accountability item was raised.
    AccountabilityReason {
        GradeFail = "grade_fail",
        SelfAssessmentInflated = "self_assessment_inflated",
        ReportLate = "report_late",
        FinalReportMissing = "final_report_missing",
        DirectReportMissing = "direct_report_missing",
        SeverityUnderstated = "severity_understated",
        TaskOverdue = "task_overdue",
        PublicationOverdue = "publication_overdue",
        HazardOverdue = "hazard_overdue",
    }
}

string_enum! {
    /// What an accountability item's evidence points at.
    EvidenceKind {
        Task = "task",
        Incident = "incident",
        /// One report of an incident.
        IncidentReport = "incident_report",
        Hazard = "hazard",
        Score = "score",
        SelfAssessment = "self_assessment",
    }
}

string_enum! {
    /// Lifecycle of an accountability item: `open → acknowledged → closed`, and
    /// `answered` while the subject's explanation (说明/申辩) awaits a decision.
    AccountabilityStatus {
        Open = "open",
        Acknowledged = "acknowledged",
        Answered = "answered",
        Closed = "closed",
    }
}

string_enum! {
    /// What started a score recomputation.
    ComputeTrigger {
        /// `POST /api/v1/scores/{period}/recompute`.
        Request = "request",
        /// `spotcheck score PERIOD`.
        Command = "command",
        /// The nightly job.
        Schedule = "schedule",
    }
}

string_enum! {
    /// A `holiday` row either takes a day off or makes a weekend day a working day (调休).
    HolidayKind { Holiday = "holiday", Workday = "workday" }
}
