"""Business-neutral payment formats: the Zengin (全銀協) transfer file and bank/branch code checks.

Any business that pays residents (child allowance, emergency benefits, refunds) writes its transfers with
:mod:`.zengin`; the platform knows no business, only the bank's file format.
"""
