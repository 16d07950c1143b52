"""Administration of roles and users under the role hierarchy.

A viewer with USER_MANAGE manages a role, and the users holding it, when the role is below
their level (level 1: any level), holds only permissions they hold (INTEGRATION never: only
the csdesk command grants it) and sees only stores they see. Everything else is invisible to
them, exactly like a missing object; every change must leave the role within those bounds.
The rules, in full, are in ``grants``.

- ``grants``: the hierarchy and the grant checks (no database).
- ``fields``: validation of names, passwords, time zones and levels.
- ``roles``: reading, creating and changing roles.
- ``users``: listing, creating and changing users.
- ``operator``: what the ``csdesk`` command does with no viewer (first administrator).
- ``tokens``: long-lived API tokens for integration users.

Import the module you need (``from resolvers.admin import users``); this package re-exports
nothing, so that each name has one home.
"""
