"""Mutations, one module each; ``schema.mutation`` gathers them into the Mutation root."""
