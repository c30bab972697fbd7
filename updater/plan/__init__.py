"""Migration plans: the plan model, making a plan, the review workbook, FHIR."""
