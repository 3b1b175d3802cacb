"""The validator service: TransactionSet in; ValidatedTransaction, Quarantined or DeadLetter out.

Exactly once (one transactional producer per input partition, as the splitter), validation in a
worker pool, poison messages to the DLQ without blocking their partition.
"""
