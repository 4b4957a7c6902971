package rest

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// kind is the JSON type of a parameter or body field: it checks a decoded
// value, converts it into the GraphQL variable value and describes itself in
// the OpenAPI document.
type kind interface {
	// decode checks v, decoded with json.Decoder.UseNumber, and returns the
	// variable value. The error describes the problem without the field name.
	decode(c *call, name string, v any) (any, error)
	schema() map[string]any
}

// omitted is the decode result for a value that leaves its variable unset,
// such as a mask sent back unchanged.
type omitted struct{}

type stringKind struct{}

func (stringKind) decode(_ *call, _ string, v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, typeError("a string", v)
	}
	return s, nil
}

func (stringKind) schema() map[string]any { return map[string]any{"type": "string"} }

// secretKind is a write-only string such as a LiveKit API key. A value that
// starts with the mask bullet is a mask read earlier and sent back unchanged,
// so it leaves the stored secret as it is.
type secretKind struct{}

func (secretKind) decode(_ *call, _ string, v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, typeError("a string", v)
	}
	if isMask(s) {
		return omitted{}, nil
	}
	return s, nil
}

func (secretKind) schema() map[string]any {
	return map[string]any{"type": "string", "writeOnly": true}
}

// maskBullet starts every mask that the API returns (see secrets.MaskLast4).
const maskBullet = "•"

func isMask(s string) bool { return strings.HasPrefix(s, maskBullet) }

// uuidKind is a UUID string. The GraphQL UUID scalar checks the format, so
// that REST and GraphQL reject the same values.
type uuidKind struct{}

func (uuidKind) decode(c *call, name string, v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, typeError("a UUID string", v)
	}
	c.uuidFields[name] = true
	return s, nil
}

func (uuidKind) schema() map[string]any {
	return map[string]any{"type": "string", "format": "uuid"}
}

type boolKind struct{}

func (boolKind) decode(_ *call, _ string, v any) (any, error) {
	b, ok := v.(bool)
	if !ok {
		return nil, typeError("true or false", v)
	}
	return b, nil
}

func (boolKind) schema() map[string]any { return map[string]any{"type": "boolean"} }

// intKind is a whole number that fits GraphQL's 32-bit Int.
type intKind struct{}

func (intKind) decode(_ *call, _ string, v any) (any, error) {
	n, ok := v.(json.Number)
	if !ok {
		return nil, typeError("an integer", v)
	}
	i, err := n.Int64()
	if err != nil || i < math.MinInt32 || i > math.MaxInt32 {
		return nil, fmt.Errorf("must be an integer between %d and %d, got %s",
			math.MinInt32, math.MaxInt32, n)
	}
	return int(i), nil
}

func (intKind) schema() map[string]any {
	return map[string]any{"type": "integer", "format": "int32"}
}

// enumKind is one of a few lowercase strings, sent to GraphQL in uppercase.
type enumKind struct{ values []string }

func (k enumKind) decode(_ *call, _ string, v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, typeError("a string", v)
	}
	if !slices.Contains(k.values, strings.ToLower(s)) {
		return nil, fmt.Errorf("%q is not one of %s", s, strings.Join(k.values, ", "))
	}
	return strings.ToUpper(s), nil
}

func (k enumKind) schema() map[string]any {
	return map[string]any{"type": "string", "enum": k.values}
}

type stringListKind struct{}

func (stringListKind) decode(_ *call, _ string, v any) (any, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, typeError("an array of strings", v)
	}
	out := make([]any, 0, len(list))
	for i, item := range list {
		s, ok := item.(string)
		if !ok {
			return nil, fmt.Errorf("item %d must be a string, got %s", i, jsonType(item))
		}
		out = append(out, s)
	}
	return out, nil
}

func (stringListKind) schema() map[string]any {
	return map[string]any{"type": "array", "items": map[string]any{"type": "string"}}
}

// objectKind is a free-form JSON object, such as voice_settings, passed on
// with every key kept.
type objectKind struct{}

func (objectKind) decode(_ *call, _ string, v any) (any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, typeError("an object", v)
	}
	return plainNumbers(m).(map[string]any), nil
}

func (objectKind) schema() map[string]any {
	return map[string]any{"type": "object", "additionalProperties": true}
}

// plainNumbers turns json.Number values into float64, as encoding/json
// decodes them by default, because the services type-check free-form values
// such as voice_settings.temperature as float64.
func plainNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return x.String()
		}
		return f
	case map[string]any:
		for k, item := range x {
			x[k] = plainNumbers(item)
		}
		return x
	case []any:
		for i, item := range x {
			x[i] = plainNumbers(item)
		}
		return x
	}
	return v
}

// objectOf is an object with declared fields, each bound to its own
// variable path. Undeclared members are ignored, like at the top level.
type objectOf struct{ fields []field }

func (k objectOf) decode(c *call, name string, v any) (any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, typeError("an object", v)
	}
	return nil, decodeFields(c, name+".", k.fields, m)
}

func (k objectOf) schema() map[string]any { return objectSchema(k.fields) }

// rejectedKind is a field the route recognises but does not accept, with
// the reason and what to do instead.
type rejectedKind struct{ reason string }

func (k rejectedKind) decode(_ *call, _ string, _ any) (any, error) {
	return nil, errors.New(k.reason)
}

func (k rejectedKind) schema() map[string]any {
	return map[string]any{"description": "Not accepted: " + k.reason + ".", "deprecated": true}
}

// providerKeysKind is settings.api_keys of a client update: an object of
// "<provider>_api_key" members, each a new key or null to remove it. It
// becomes updateClient's providerKeys list.
type providerKeysKind struct{}

const apiKeySuffix = "_api_key"

func (providerKeysKind) decode(c *call, name string, v any) (any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, typeError("an object", v)
	}
	names := make([]string, 0, len(m))
	for member := range m {
		names = append(names, member)
	}
	slices.Sort(names)

	changes := make([]any, 0, len(m))
	for _, member := range names {
		path := name + "." + member
		provider, ok := strings.CutSuffix(member, apiKeySuffix)
		if !ok || provider == "" {
			return nil, &fieldError{field: path,
				msg: "is not a provider key name; write it as <provider>" + apiKeySuffix}
		}
		change := map[string]any{"provider": provider, "key": nil}
		switch key := m[member].(type) {
		case nil:
		case string:
			if isMask(key) {
				continue
			}
			change["key"] = key
		default:
			return nil, &fieldError{field: path, msg: "must be a string, or null to remove the key" +
				", got " + jsonType(key)}
		}
		gql := fmt.Sprintf("input.providerKeys[%d]", len(changes))
		for _, sub := range []string{"", ".provider", ".key", ".baseUrl"} {
			c.names[gql+sub] = path
		}
		changes = append(changes, change)
	}
	return changes, nil
}

func (providerKeysKind) schema() map[string]any {
	return map[string]any{
		"type": "object",
		"description": "Members named <provider>_api_key: a new key, or null to remove it. " +
			"A mask sent back unchanged keeps the stored key.",
		"additionalProperties": map[string]any{"type": "string", "nullable": true},
	}
}

// fieldError is a request field that is missing or of the wrong type.
type fieldError struct {
	field, msg string
}

func (e *fieldError) Error() string { return e.field + ": " + e.msg }

func typeError(want string, got any) error {
	return fmt.Errorf("must be %s, got %s", want, jsonType(got))
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, float64:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// decodeFields checks the members of m declared in fields and sets their
// variables. A null member counts as absent.
func decodeFields(c *call, prefix string, fields []field, m map[string]any) error {
	for _, f := range fields {
		v, present := m[f.Name]
		if !present || v == nil {
			continue
		}
		name := prefix + f.Name
		value, err := f.Kind.decode(c, name, v)
		if err != nil {
			if fe, ok := err.(*fieldError); ok {
				return fe
			}
			return &fieldError{field: name, msg: err.Error()}
		}
		if _, skip := value.(omitted); !skip && f.Var != "" {
			setVar(c.vars, f.Var, value)
		}
	}
	return nil
}

// nameFields records the caller's name of every field's variable path, so
// that errors about a variable name the caller's field.
func nameFields(names map[string]string, prefix string, fields []field) {
	for _, f := range fields {
		if f.Var != "" {
			names[f.Var] = prefix + f.Name
		}
		if obj, ok := f.Kind.(objectOf); ok {
			nameFields(names, prefix+f.Name+".", obj.fields)
		}
	}
}

// cloneValue copies the maps and slices of a route's default variables, so
// that requests never share them.
func cloneValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, item := range x {
			out[k] = cloneValue(item)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			out[i] = cloneValue(item)
		}
		return out
	}
	return v
}

// setVar sets the dotted path of vars to value, creating nested objects.
func setVar(vars map[string]any, path string, value any) {
	parts := strings.Split(path, ".")
	m := vars
	for _, p := range parts[:len(parts)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
	m[parts[len(parts)-1]] = value
}

func objectSchema(fields []field) map[string]any {
	props := map[string]any{}
	var required []string
	for _, f := range fields {
		s := f.Kind.schema()
		if f.Doc != "" {
			s = withDescription(s, f.Doc)
		}
		props[f.Name] = s
		if f.Required {
			required = append(required, f.Name)
		}
	}
	out := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		out["required"] = required
	}
	return out
}

func withDescription(s map[string]any, doc string) map[string]any {
	out := make(map[string]any, len(s)+1)
	for k, v := range s {
		out[k] = v
	}
	out["description"] = doc
	return out
}
