package model

import "github.com/google/uuid"

// The @tenant directive finds the client of a field through these methods:
// on the field's input argument, or on the parent object.

// TenantClientID returns the client named by the trigger input, if any.
func (i TriggerAgentInput) TenantClientID() *uuid.UUID { return i.ClientID }

// TenantAgentSlug returns the agent slug used for auto-detection.
func (i TriggerAgentInput) TenantAgentSlug() string { return i.AgentSlug }

// OwnerClientID returns the client a Client object is.
func (c *Client) OwnerClientID() uuid.UUID { return c.ID }

// TenantClientID returns the client named by the embed token input, if any.
func (i EmbedTokenInput) TenantClientID() *uuid.UUID { return i.ClientID }

// TenantAgentSlug returns the agent slug used for auto-detection.
func (i EmbedTokenInput) TenantAgentSlug() string { return i.AgentSlug }
