"""Administration of roles and users under the role hierarchy.

A level-L viewer sees and manages the roles of a level below theirs (level > L) and the users
holding them; level 1 sees and manages every role, its own level included. Nobody grants a
permission their own role lacks, nor store access beyond their own; assigning a role to a user
grants that role's permissions and stores, so the same check applies. Roles and users outside
the viewer's hierarchy behave as if they did not exist.

- ``grants``: the hierarchy and the grant checks (no database).
- ``fields``: validation of names, passwords, time zones and levels.
- ``roles``: reading, creating and changing roles.
- ``users``: listing, creating and changing users.
- ``operator``: what the ``csdesk`` command does with no viewer (first administrator).
- ``tokens``: long-lived API tokens for integration users.

Import the module you need (``from resolvers.admin import users``); this package re-exports
nothing, so that each name has one home.
"""
