"""The SCIM 2.0 endpoint (/scim/v2/) on django-scim2: token authentication, the adapters for
Users (a person's place at the school) and Groups (the school's roles), filters, PATCH
operations, and the discovery documents. docs/integrations.md explains it for IT staff."""
