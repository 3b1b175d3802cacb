"""SNIP 3-5 rules over the loop tree: balancing, inter-segment situations, code sets."""
