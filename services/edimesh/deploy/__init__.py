"""Deployment artefacts generated from the code, so they cannot drift from it (see k8s/)."""
