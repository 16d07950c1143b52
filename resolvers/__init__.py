"""What answers queries and mutations: domain actions, dataloaders, search. No GraphQL types."""
