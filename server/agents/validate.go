package agents

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/sidekick-forge/sidekick-forge/server/apperr"
)

// Field limits. Long enough for real prompts, short enough that one request
// cannot fill a database.
const (
	MaxSlugLength         = 64
	MaxNameLength         = 200
	MaxDescriptionLength  = 5000
	MaxSystemPromptLength = 100_000
	MaxURLLength          = 2048
	MaxModelLength        = 200
	MaxRetentionMinutes   = 7 * 24 * 60
	MaxContextMessages    = 1000
	maxVoiceSettingsBytes = 16 << 10
)

var slugPattern = regexp.MustCompile(`^[a-z0-9-]+$`)

// ValidateSlug checks slug against ^[a-z0-9-]+$ and suggests the hyphenated
// form when it fails.
func ValidateSlug(field, slug string) error {
	if slug == "" {
		return apperr.Invalid(field, "is required")
	}
	if len(slug) > MaxSlugLength {
		return apperr.Invalid(field, "is %d characters; the maximum is %d", len(slug), MaxSlugLength)
	}
	if !slugPattern.MatchString(slug) {
		msg := "must contain only lowercase letters, digits and hyphens (^[a-z0-9-]+$)"
		if s := SuggestSlug(slug); s != "" {
			msg += "; did you mean \"" + s + "\"?"
		}
		return apperr.Invalid(field, "%q %s", slug, msg)
	}
	return nil
}

// SuggestSlug returns slug lowercased with every run of other characters
// replaced by one hyphen, or "" when nothing usable is left.
func SuggestSlug(slug string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(slug) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			hyphen = false
			continue
		}
		if !hyphen && b.Len() > 0 {
			b.WriteByte('-')
			hyphen = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

func checkLength(field, value string, max int) error {
	if n := utf8.RuneCountInString(value); n > max {
		return apperr.Invalid(field, "is %d characters; the maximum is %d", n, max)
	}
	return nil
}

func checkURL(field, value string) error {
	if value == "" {
		return nil
	}
	if err := checkLength(field, value, MaxURLLength); err != nil {
		return err
	}
	u, err := url.Parse(value)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return apperr.Invalid(field, "must be an absolute http or https URL")
	}
	return nil
}

func checkRange(field string, value, min, max int) error {
	if value < min || value > max {
		return apperr.Invalid(field, "is %d; it must be between %d and %d", value, min, max)
	}
	return nil
}

// voiceStringKeys are the voice settings that must be strings when present.
var voiceStringKeys = []string{
	"provider", "voice_id", "llm_provider", "llm_model", "stt_provider", "stt_language",
	"tts_provider", "model",
}

// ValidateVoiceSettings checks the known keys of voice settings. Unknown
// keys are kept as they are, because worker versions add their own.
func ValidateVoiceSettings(field string, vs map[string]any) error {
	for _, key := range voiceStringKeys {
		v, ok := vs[key]
		if !ok || v == nil {
			continue
		}
		s, isString := v.(string)
		if !isString {
			return apperr.Invalid(field+"."+key, "must be a string")
		}
		if err := checkLength(field+"."+key, s, MaxModelLength); err != nil {
			return err
		}
	}
	if v, ok := vs["temperature"]; ok && v != nil {
		t, isNumber := toFloat(v)
		if !isNumber {
			return apperr.Invalid(field+".temperature", "must be a number")
		}
		if t < 0 || t > 2 {
			return apperr.Invalid(field+".temperature", "is %g; it must be between 0 and 2", t)
		}
	}
	if size := approximateJSONSize(vs); size > maxVoiceSettingsBytes {
		return apperr.Invalid(field, "is about %d bytes; the maximum is %d", size,
			maxVoiceSettingsBytes)
	}
	return nil
}

// toFloat converts the number types a Map argument can hold. JSON variables
// arrive as json.Number because gqlgen decodes request bodies with UseNumber.
func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	}
	return 0, false
}

// Validate checks every field of a.
func (a *Agent) Validate() error {
	if err := ValidateSlug("slug", a.Slug); err != nil {
		return err
	}
	if strings.TrimSpace(a.Name) == "" {
		return apperr.Invalid("name", "is required")
	}
	checks := []error{
		checkLength("name", a.Name, MaxNameLength),
		checkLength("description", a.Description, MaxDescriptionLength),
		checkLength("system_prompt", a.SystemPrompt, MaxSystemPromptLength),
		checkLength("model", a.Model, MaxModelLength),
		checkLength("agent_image", a.AgentImage, MaxURLLength),
		checkURL("webhooks.voice_context_webhook_url", a.Webhooks.VoiceContextWebhookURL),
		checkURL("webhooks.text_context_webhook_url", a.Webhooks.TextContextWebhookURL),
		checkRange("context_retention_minutes", a.ContextRetentionMinutes, 0, MaxRetentionMinutes),
		checkRange("max_context_messages", a.MaxContextMessages, 0, MaxContextMessages),
		ValidateVoiceSettings("voice_settings", a.VoiceSettings),
	}
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	return nil
}

func approximateJSONSize(v map[string]any) int {
	b, err := json.Marshal(v)
	if err != nil {
		return 0
	}
	return len(b)
}
