"""The outbox worker: claims due messages under a lease, delivers each through the channel of
its destination (customer emails, payment and warehouse webhooks, the demo's payment
simulator), and records what was delivered, retried or given up (``csdesk worker``)."""
