import { describe, expect, it } from 'vitest';

import type { AgentFieldsFragment } from '@/gql/graphql';

import { emptyAgentForm, formFromAgent, parseAgentForm } from './agentForm';

const agent: AgentFieldsFragment = {
  id: 'a1',
  slug: 'front-desk',
  name: 'Front desk',
  description: 'Greets visitors',
  clientId: 'c1',
  agentImage: '',
  systemPrompt: 'Be kind.',
  voiceSettings: { llm_provider: 'openai', temperature: 0.4, speed: 1.2, voices: ['a', 'b'] },
  webhooks: { voiceContextWebhookUrl: null, textContextWebhookUrl: 'https://x.test/ctx' },
  enabled: true,
  textChatEnabled: true,
  voiceChatEnabled: false,
  videoChatEnabled: false,
  model: 'gpt-4o-mini',
  contextRetentionMinutes: 30,
  maxContextMessages: 20,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
};

describe('agent form', () => {
  it('round-trips every field of an agent', () => {
    const parsed = parseAgentForm(formFromAgent(agent));

    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.input).toEqual({
      slug: 'front-desk',
      name: 'Front desk',
      description: 'Greets visitors',
      agentImage: '',
      systemPrompt: 'Be kind.',
      model: 'gpt-4o-mini',
      enabled: true,
      textChatEnabled: true,
      voiceChatEnabled: false,
      videoChatEnabled: false,
      contextRetentionMinutes: 30,
      maxContextMessages: 20,
      voiceSettings: { llm_provider: 'openai', temperature: 0.4, speed: 1.2, voices: ['a', 'b'] },
      webhooks: { voiceContextWebhookUrl: '', textContextWebhookUrl: 'https://x.test/ctx' },
    });
  });

  it('keeps unknown voice settings in the JSON box', () => {
    const values = formFromAgent(agent);

    expect(JSON.parse(values.voice_extra)).toEqual({ speed: 1.2, voices: ['a', 'b'] });
    expect(values.voice.llm_provider).toBe('openai');
    expect(values.voice.temperature).toBe('0.4');
  });

  it('rejects numbers that are not whole', () => {
    const values = { ...emptyAgentForm(), slug: 's', name: 'n', max_context_messages: '2.5' };

    const parsed = parseAgentForm(values);

    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.max_context_messages).toBe('must be a whole number');
  });

  it('rejects other voice settings that are not an object', () => {
    const parsed = parseAgentForm({ ...emptyAgentForm(), voice_extra: '[1, 2]' });

    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.voice_settings).toMatch(/must be a JSON object/);
  });

  it('rejects a temperature that is not a number', () => {
    const values = emptyAgentForm();
    values.voice.temperature = 'warm';

    const parsed = parseAgentForm(values);

    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors['voice_settings.temperature']).toBe('must be a number');
  });

  it('leaves empty voice inputs out of the settings', () => {
    const parsed = parseAgentForm({ ...emptyAgentForm(), slug: 's', name: 'n' });

    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.input.voiceSettings).toEqual({});
  });
});
