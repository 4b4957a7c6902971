package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// apiClient calls the platform's HTTP API as an outside integration does.
type apiClient struct {
	baseURL string
	http    *http.Client
}

func newAPIClient(baseURL string) *apiClient {
	return &apiClient{baseURL: baseURL, http: &http.Client{Timeout: 30 * time.Second}}
}

// gqlError is one entry of a GraphQL response's errors list.
type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

// graphQL posts an operation with key as a bearer token and decodes data
// into out. GraphQL errors become one Go error that names their codes.
func (c *apiClient) graphQL(ctx context.Context, key, query string, vars map[string]any,
	out any) error {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return fmt.Errorf("encode GraphQL request: %w", err)
	}
	status, raw, err := c.post(ctx, "/graphql", key, body)
	if err != nil {
		return err
	}
	var res struct {
		Data   json.RawMessage `json:"data"`
		Errors []gqlError      `json:"errors"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		return fmt.Errorf("decode GraphQL response (HTTP %d): %w: %s", status, err, raw)
	}
	if len(res.Errors) > 0 {
		msgs := make([]string, 0, len(res.Errors))
		for _, e := range res.Errors {
			code, _ := e.Extensions["code"].(string)
			msgs = append(msgs, fmt.Sprintf("%s (%s)", e.Message, code))
		}
		return fmt.Errorf("GraphQL errors: %s", strings.Join(msgs, "; "))
	}
	if err := json.Unmarshal(res.Data, out); err != nil {
		return fmt.Errorf("decode GraphQL data: %w: %s", err, res.Data)
	}
	return nil
}

// restError is a REST error response: HTTP status, detail and code.
type restError struct {
	Status int
	Detail string `json:"detail"`
	Code   string `json:"code"`
}

func (e *restError) Error() string {
	return fmt.Sprintf("HTTP %d %s: %s", e.Status, e.Code, e.Detail)
}

// postREST posts body as JSON to path with key as a bearer token and
// decodes a 200 response into out. Any other status is a *restError.
func (c *apiClient) postREST(ctx context.Context, path, key string, body, out any) error {
	payload, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("encode request: %w", err)
	}
	status, raw, err := c.post(ctx, path, key, payload)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		e := &restError{Status: status}
		if json.Unmarshal(raw, e) != nil || e.Detail == "" {
			e.Detail = strings.TrimSpace(string(raw))
		}
		return e
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("decode response of POST %s: %w: %s", path, err, raw)
	}
	return nil
}

func (c *apiClient) post(ctx context.Context, path, key string, body []byte) (int, []byte,
	error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL+path,
		bytes.NewReader(body))
	if err != nil {
		return 0, nil, fmt.Errorf("POST %s: %w", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("POST %s: %w", path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	if err != nil {
		return 0, nil, fmt.Errorf("POST %s: read response: %w", path, err)
	}
	return res.StatusCode, raw, nil
}

// isMissingRoute reports whether err is the platform's 404 for a path that
// has no route, as opposed to a 404 for an agent or client not found.
func isMissingRoute(err error) bool {
	var re *restError
	return errors.As(err, &re) && re.Status == http.StatusNotFound &&
		(re.Detail == "404 page not found" || strings.HasPrefix(re.Detail, "no route for"))
}
