"""csdesk: the GraphQL backend of the customer-service screens of an order management system."""

__version__ = "0.1.0"
