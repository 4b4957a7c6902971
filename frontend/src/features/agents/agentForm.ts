import type { AgentFieldsFragment, AgentInput } from '@/gql/graphql';

/** Voice settings with their own inputs; other keys are edited as JSON. */
export const voiceSettingKeys = [
  'llm_provider',
  'llm_model',
  'temperature',
  'tts_provider',
  'provider',
  'voice_id',
  'stt_provider',
  'stt_language',
] as const;

export type VoiceSettingKey = (typeof voiceSettingKeys)[number];

/** Form state of an agent: every input as the text the user typed. */
export interface AgentFormValues {
  slug: string;
  name: string;
  description: string;
  agent_image: string;
  system_prompt: string;
  model: string;
  enabled: boolean;
  text_chat_enabled: boolean;
  voice_chat_enabled: boolean;
  video_chat_enabled: boolean;
  context_retention_minutes: string;
  max_context_messages: string;
  voice_context_webhook_url: string;
  text_context_webhook_url: string;
  voice: Record<VoiceSettingKey, string>;
  /** Other voice settings as a JSON object. */
  voice_extra: string;
}

export function emptyAgentForm(): AgentFormValues {
  return {
    slug: '',
    name: '',
    description: '',
    agent_image: '',
    system_prompt: '',
    model: '',
    enabled: true,
    text_chat_enabled: true,
    voice_chat_enabled: true,
    video_chat_enabled: false,
    context_retention_minutes: '30',
    max_context_messages: '50',
    voice_context_webhook_url: '',
    text_context_webhook_url: '',
    voice: Object.fromEntries(voiceSettingKeys.map((k) => [k, ''])) as Record<VoiceSettingKey, string>,
    voice_extra: '{}',
  };
}

export function formFromAgent(agent: AgentFieldsFragment): AgentFormValues {
  const settings = agent.voiceSettings ?? {};
  const voice = emptyAgentForm().voice;
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings)) {
    if ((voiceSettingKeys as readonly string[]).includes(key) && isScalar(value)) {
      voice[key as VoiceSettingKey] = String(value);
    } else {
      extra[key] = value;
    }
  }
  return {
    slug: agent.slug,
    name: agent.name,
    description: agent.description,
    agent_image: agent.agentImage,
    system_prompt: agent.systemPrompt,
    model: agent.model,
    enabled: agent.enabled,
    text_chat_enabled: agent.textChatEnabled,
    voice_chat_enabled: agent.voiceChatEnabled,
    video_chat_enabled: agent.videoChatEnabled,
    context_retention_minutes: String(agent.contextRetentionMinutes),
    max_context_messages: String(agent.maxContextMessages),
    voice_context_webhook_url: agent.webhooks.voiceContextWebhookUrl ?? '',
    text_context_webhook_url: agent.webhooks.textContextWebhookUrl ?? '',
    voice,
    voice_extra: JSON.stringify(extra, null, 2),
  };
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

export type ParsedAgentForm =
  | { ok: true; input: AgentInput }
  | { ok: false; errors: Record<string, string> };

/**
 * Converts the form to the API input. Only what the browser must parse, the
 * numbers and the JSON object, is checked here. The server validates the rest,
 * and its messages appear at the same fields, keyed by the server's names.
 */
export function parseAgentForm(values: AgentFormValues): ParsedAgentForm {
  const errors: Record<string, string> = {};
  const retention = parseInteger(values.context_retention_minutes);
  if (retention === null) errors.context_retention_minutes = 'must be a whole number of minutes';
  const maxMessages = parseInteger(values.max_context_messages);
  if (maxMessages === null) errors.max_context_messages = 'must be a whole number';

  let voiceSettings: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(values.voice_extra.trim() || '{}');
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      errors.voice_settings = 'other voice settings must be a JSON object, like {"speed": 1.1}';
    } else {
      voiceSettings = { ...(parsed as Record<string, unknown>) };
    }
  } catch (err) {
    errors.voice_settings = `other voice settings are not valid JSON: ${(err as Error).message}`;
  }

  for (const key of voiceSettingKeys) {
    const raw = values.voice[key].trim();
    if (raw === '') continue;
    if (key === 'temperature') {
      const t = Number(raw);
      if (Number.isNaN(t)) errors['voice_settings.temperature'] = 'must be a number';
      else voiceSettings[key] = t;
    } else {
      voiceSettings[key] = raw;
    }
  }

  if (Object.keys(errors).length > 0 || retention === null || maxMessages === null) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    input: {
      slug: values.slug.trim(),
      name: values.name.trim(),
      description: values.description,
      agentImage: values.agent_image.trim(),
      systemPrompt: values.system_prompt,
      model: values.model.trim(),
      enabled: values.enabled,
      textChatEnabled: values.text_chat_enabled,
      voiceChatEnabled: values.voice_chat_enabled,
      videoChatEnabled: values.video_chat_enabled,
      contextRetentionMinutes: retention,
      maxContextMessages: maxMessages,
      voiceSettings,
      webhooks: {
        voiceContextWebhookUrl: values.voice_context_webhook_url.trim(),
        textContextWebhookUrl: values.text_context_webhook_url.trim(),
      },
    },
  };
}

function parseInteger(raw: string): number | null {
  const trimmed = raw.trim();
  if (!/^-?\d+$/.test(trimmed)) return null;
  return Number(trimmed);
}
