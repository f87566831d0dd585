"""Practice: problem families (load, draw, spec, expected answers), the expression language,
answer checking, choosing problems for a sheet, exam or export, exams and the stress report."""
