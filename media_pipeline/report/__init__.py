"""The workshop report: plain data (`model`) -> a PDF for the board (`pdf`, ReportLab)."""
