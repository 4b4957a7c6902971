package rest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// openAPIDocument builds the OpenAPI 3 document from the route table.
func openAPIDocument() map[string]any {
	paths := map[string]any{}
	for _, rt := range routes {
		item, _ := paths[rt.Path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[rt.Path] = item
		}
		item[strings.ToLower(rt.Method)] = openAPIOperation(rt)
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":   "Sidekick Forge REST API",
			"version": "2",
			"description": "REST v1 and v2 compatibility API. Each route runs the named GraphQL " +
				"operation given in x-graphql-operation, with the same authentication, tenant " +
				"checks and limits as /graphql. Errors are {\"detail\", \"code\"}.",
		},
		"paths": paths,
		"components": map[string]any{
			"schemas": openAPISchemas(),
			"securitySchemes": map[string]any{
				"bearerAuth":   map[string]any{"type": "http", "scheme": "bearer"},
				"apiKeyHeader": map[string]any{"type": "apiKey", "in": "header", "name": "X-API-Key"},
				"embedToken": map[string]any{"type": "apiKey", "in": "header",
					"name": "X-Embed-Token"},
			},
		},
		"security": []any{
			map[string]any{"bearerAuth": []any{}},
			map[string]any{"apiKeyHeader": []any{}},
			map[string]any{"embedToken": []any{}},
		},
	}
}

// operationID names a route uniquely: its operation and API version.
func operationID(rt *route) string {
	version := "V2"
	if strings.HasPrefix(rt.Path, "/api/v1/") {
		version = "V1"
	}
	return strings.TrimPrefix(rt.Op.Name, "Rest") + version
}

func openAPIOperation(rt *route) map[string]any {
	op := map[string]any{
		"operationId":         operationID(rt),
		"summary":             rt.Summary,
		"tags":                []string{rt.Tag},
		"x-graphql-operation": rt.Op.Name,
		"responses":           openAPIResponses(rt),
	}
	if rt.Op == opValidateSiteKey {
		// The key in the body is the credential; no Authorization header is
		// needed.
		op["security"] = []any{map[string]any{}}
	}
	var params []any
	for _, p := range rt.Params {
		params = append(params, map[string]any{
			"name": p.Name, "in": p.In, "required": p.Required || p.In == inPath,
			"description": p.Doc, "schema": p.Kind.schema(),
		})
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	if rt.Body != nil {
		op["requestBody"] = map[string]any{
			"required": true,
			"content": map[string]any{
				"application/json": map[string]any{"schema": objectSchema(rt.Body)},
			},
		}
	}
	return op
}

func openAPIResponses(rt *route) map[string]any {
	contentType := "application/json"
	description := http.StatusText(rt.Status)
	if rt.Stream {
		contentType = "text/event-stream"
		description = "Server-sent events, each a data line with one StreamEvent. An error " +
			"before the first event is a JSON error response instead."
	}
	out := map[string]any{
		strconv.Itoa(rt.Status): map[string]any{
			"description": description,
			"content":     map[string]any{contentType: map[string]any{"schema": ref(rt.Response)}},
		},
	}
	statuses := append([]int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound},
		rt.Errors...)
	for _, s := range statuses {
		out[strconv.Itoa(s)] = map[string]any{
			"description": http.StatusText(s),
			"content": map[string]any{
				"application/json": map[string]any{"schema": ref("Error")},
			},
		}
	}
	return out
}

func ref(name string) map[string]any {
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

// Schema builders of the OpenAPI document.
func str() map[string]any             { return map[string]any{"type": "string"} }
func nullableStr() map[string]any     { return withNull(str()) }
func boolean() map[string]any         { return map[string]any{"type": "boolean"} }
func integer() map[string]any         { return map[string]any{"type": "integer"} }
func uuidSchema() map[string]any      { return uuidKind{}.schema() }
func arrayOf(item any) map[string]any { return map[string]any{"type": "array", "items": item} }

func timestamp() map[string]any {
	return map[string]any{"type": "string", "format": "date-time"}
}

func withNull(s map[string]any) map[string]any {
	s["nullable"] = true
	return s
}

func obj(props map[string]any) map[string]any {
	return map[string]any{"type": "object", "properties": props}
}

func openAPISchemas() map[string]any {
	agent := objectSchema(agentBody(false))
	props := agent["properties"].(map[string]any)
	props["id"], props["client_id"] = uuidSchema(), uuidSchema()
	props["created_at"], props["updated_at"] = timestamp(), timestamp()

	site := obj(map[string]any{
		"id": uuidSchema(), "client_id": uuidSchema(), "name": str(), "domain": str(),
		"allowed_origins": arrayOf(str()), "key_prefix": str(), "created_at": timestamp(),
		"last_used_at": withNull(timestamp()), "revoked": boolean(),
	})
	createdSite := obj(map[string]any{})
	for k, v := range site["properties"].(map[string]any) {
		createdSite["properties"].(map[string]any)[k] = v
	}
	createdSite["properties"].(map[string]any)["api_key"] = map[string]any{"type": "string",
		"description": "The raw key, shown only in this response."}

	return map[string]any{
		"Error": obj(map[string]any{
			"detail": str(), "code": str(),
			"field": map[string]any{"type": "string", "description": "The request field at fault."},
			"candidates": arrayOf(obj(map[string]any{"client_id": uuidSchema(),
				"client_name": str()})),
		}),
		"Agent":     agent,
		"AgentList": arrayOf(ref("Agent")),
		"Client": obj(map[string]any{
			"id": uuidSchema(), "name": str(), "slug": str(),
			"provisioning_status": map[string]any{"type": "string",
				"enum": []string{"pending", "provisioning", "ready", "failed"}},
			"provisioning_error": nullableStr(), "schema_version": integer(),
			"settings": obj(map[string]any{
				"api_keys": map[string]any{"type": "object",
					"description":          "<provider>_api_key: the key's mask, or null when unset.",
					"additionalProperties": nullableStr()},
				"livekit_config": obj(map[string]any{"url": nullableStr(),
					"api_key": nullableStr(), "configured": boolean()}),
			}),
			"created_at": timestamp(), "updated_at": timestamp(),
		}),
		"ClientList": arrayOf(ref("Client")),
		"ClientAPIKeys": obj(map[string]any{
			"client_id": uuidSchema(),
			"api_keys": map[string]any{"type": "object",
				"description":          "<provider>_api_key: the key's mask, or \"Not configured\".",
				"additionalProperties": str()},
		}),
		"Deleted": obj(map[string]any{"success": boolean(), "message": str()}),
		"DeletedClient": obj(map[string]any{"success": boolean(), "message": str(),
			"id": uuidSchema(), "database_dropped": boolean()}),
		"TriggerResponse": obj(map[string]any{
			"success": boolean(), "message": str(),
			"data": map[string]any{"oneOf": []any{ref("VoiceData"), ref("TextData")}},
			"agent_info": obj(map[string]any{"slug": str(), "name": str(),
				"client_id": uuidSchema(), "client_name": str(), "voice_provider": nullableStr(),
				"voice_id": nullableStr()}),
		}),
		"VoiceData": obj(map[string]any{
			"mode": str(), "room_name": str(), "platform": str(), "conversation_id": str(),
			"livekit_config": obj(map[string]any{"server_url": str(), "user_token": str(),
				"configured": boolean()}),
			"room_info": obj(map[string]any{"room_name": str(), "status": str(),
				"participants": integer()}),
			"dispatch_info": obj(map[string]any{"status": str(), "dispatch_id": str(),
				"reason": str()}),
			"status": str(),
		}),
		"TextData": obj(map[string]any{
			"mode": str(), "message_received": str(), "user_id": str(), "conversation_id": str(),
			"response": str(), "agent_response": str(), "ai_response": str(),
			"llm_provider": str(), "llm_model": str(), "status": str(),
		}),
		"StreamEvent": map[string]any{"oneOf": []any{
			obj(map[string]any{"delta": str()}),
			obj(map[string]any{"done": boolean(), "conversation_id": str(), "full_text": str()}),
			obj(map[string]any{"error": str(), "code": str()}),
		}},
		"Site":        site,
		"SiteList":    arrayOf(ref("Site")),
		"CreatedSite": createdSite,
		"SiteValidation": obj(map[string]any{"valid": boolean(), "site_id": uuidSchema(),
			"domain": str(), "client_id": uuidSchema()}),
		"EmbedToken": obj(map[string]any{
			"token": map[string]any{"type": "string",
				"description": "Sent by the browser as X-Embed-Token."},
			"expires_at": timestamp(), "client_id": uuidSchema(), "agent_slug": str(),
			"user_id": map[string]any{"type": "string",
				"description": "Every trigger with the token runs as this user."},
			"anonymous": boolean(),
		}),
	}
}

var openAPIJSON = sync.OnceValue(func() []byte {
	b, err := json.MarshalIndent(openAPIDocument(), "", "  ")
	if err != nil {
		panic("encode OpenAPI document: " + err.Error())
	}
	return b
})

func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openAPIJSON())
}
