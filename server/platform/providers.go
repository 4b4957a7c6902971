package platform

import (
	"slices"
	"strings"
)

// Providers lists the provider names a client can hold a key for. The REST
// API spells each as "<name>_api_key".
var Providers = []string{
	"anthropic", "assemblyai", "cartesia", "cerebras", "cohere", "deepgram", "deepinfra",
	"elevenlabs", "groq", "jina", "novita", "openai", "openai_compatible", "perplexity",
	"replicate", "siliconflow", "speechify",
}

// KnownProvider reports whether name is one of Providers.
func KnownProvider(name string) bool {
	_, found := slices.BinarySearch(Providers, name)
	return found
}

// ProviderList returns Providers joined for error messages.
func ProviderList() string { return strings.Join(Providers, ", ") }
