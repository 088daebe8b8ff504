"""The credit check: one round trip fetches every fact a verdict can rest on; queries/checks.py applies the rules.
(Filled in by the checks work, issue 3.)
"""
