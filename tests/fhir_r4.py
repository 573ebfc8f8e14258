"""The FHIR R4 value sets the tests check codes against (written out: the validating
library, fhir.resources R4B, accepts any code string)."""

# http://hl7.org/fhir/R4/valueset-research-study-status.html
R4_STATUS = {
    "active",
    "administratively-completed",
    "approved",
    "closed-to-accrual",
    "closed-to-accrual-and-intervention",
    "completed",
    "disapproved",
    "in-review",
    "temporarily-closed-to-accrual",
    "temporarily-closed-to-accrual-and-intervention",
    "withdrawn",
}

# http://hl7.org/fhir/R4/valueset-research-study-phase.html
R4_PHASE = {
    "n-a",
    "early-phase-1",
    "phase-1",
    "phase-1-phase-2",
    "phase-2",
    "phase-2-phase-3",
    "phase-3",
    "phase-4",
}
