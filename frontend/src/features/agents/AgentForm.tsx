import { useState, type FormEvent } from 'react';

import { Button } from '@/components/Button';
import { CheckboxField, TextAreaField, TextField } from '@/components/Field';
import { ErrorNotice } from '@/components/Notice';
import type { AgentInput } from '@/gql/graphql';
import { fieldErrors, needsNotice } from '@/lib/errors';

import { parseAgentForm, type AgentFormValues, type VoiceSettingKey } from './agentForm';

/** Server field names this form shows errors at. */
const formFields = [
  'slug',
  'name',
  'description',
  'agent_image',
  'system_prompt',
  'model',
  'context_retention_minutes',
  'max_context_messages',
  'webhooks.voice_context_webhook_url',
  'webhooks.text_context_webhook_url',
  'voice_settings',
  'voice_settings.llm_provider',
  'voice_settings.llm_model',
  'voice_settings.temperature',
  'voice_settings.tts_provider',
  'voice_settings.provider',
  'voice_settings.voice_id',
  'voice_settings.stt_provider',
  'voice_settings.stt_language',
];

const voiceInputs: { key: VoiceSettingKey; label: string; hint?: string; placeholder?: string }[] = [
  { key: 'llm_provider', label: 'LLM provider', hint: 'Answers text turns, e.g. openai or groq.', placeholder: 'openai' },
  { key: 'llm_model', label: 'LLM model', hint: 'Overrides the model above for text turns.' },
  { key: 'temperature', label: 'Temperature', hint: 'Between 0 and 2.', placeholder: '0.7' },
  { key: 'tts_provider', label: 'Speech (TTS) provider' },
  { key: 'provider', label: 'Voice provider', hint: 'The voice provider key that older workers read.' },
  { key: 'voice_id', label: 'Voice id' },
  { key: 'stt_provider', label: 'Transcription (STT) provider' },
  { key: 'stt_language', label: 'Transcription language', placeholder: 'en' },
];

export function AgentForm({
  initial,
  submitLabel,
  slugEditable,
  busy,
  serverError,
  onSubmit,
  onCancel,
}: {
  initial: AgentFormValues;
  submitLabel: string;
  slugEditable: boolean;
  busy: boolean;
  serverError: unknown;
  onSubmit: (input: AgentInput) => void;
  onCancel?: () => void;
}) {
  const [values, setValues] = useState(initial);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const errors = { ...fieldErrors(serverError), ...localErrors };

  function set<K extends keyof AgentFormValues>(key: K, value: AgentFormValues[K]) {
    setValues((v) => ({ ...v, [key]: value }));
  }

  function setVoice(key: VoiceSettingKey, value: string) {
    setValues((v) => ({ ...v, voice: { ...v.voice, [key]: value } }));
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = parseAgentForm(values);
    if (!parsed.ok) {
      setLocalErrors(parsed.errors);
      return;
    }
    setLocalErrors({});
    onSubmit(parsed.input);
  }

  const text = (key: keyof AgentFormValues & string) => ({
    name: key,
    value: values[key] as string,
    error: errors[key],
    onChange: (e: { target: { value: string } }) => set(key, e.target.value as never),
  });

  return (
    <form className="form" onSubmit={submit} aria-label="Agent settings" noValidate>
      {needsNotice(serverError, formFields) && <ErrorNotice error={serverError} action="save the agent" />}
      {Object.keys(errors).length > 0 && (
        <p className="visually-hidden" role="alert">
          The agent was not saved: check the fields marked with an error.
        </p>
      )}
      <fieldset>
        <legend>Identity</legend>
        <div className="stack">
          <div className="form-grid">
            <TextField label="Name" required {...text('name')} />
            <TextField
              label="Slug"
              required
              readOnly={!slugEditable}
              hint="Lowercase letters, digits and hyphens; websites trigger the agent by it."
              {...text('slug')}
            />
          </div>
          <TextAreaField label="Description" rows={2} {...text('description')} />
          <TextField label="Image URL" type="url" placeholder="https://…" {...text('agent_image')} />
        </div>
      </fieldset>

      <fieldset>
        <legend>Modes</legend>
        <div className="form-grid">
          <CheckboxField
            label="Enabled"
            hint="A disabled agent rejects every trigger."
            checked={values.enabled}
            onChange={(e) => set('enabled', e.target.checked)}
          />
          <CheckboxField
            label="Text chat"
            checked={values.text_chat_enabled}
            onChange={(e) => set('text_chat_enabled', e.target.checked)}
          />
          <CheckboxField
            label="Voice chat"
            checked={values.voice_chat_enabled}
            onChange={(e) => set('voice_chat_enabled', e.target.checked)}
          />
          <CheckboxField
            label="Video chat"
            checked={values.video_chat_enabled}
            onChange={(e) => set('video_chat_enabled', e.target.checked)}
          />
        </div>
      </fieldset>

      <fieldset>
        <legend>Conversation</legend>
        <div className="stack">
          <TextAreaField label="System prompt" rows={6} {...text('system_prompt')} />
          <div className="form-grid">
            <TextField label="Model" hint="Default model of the agent." {...text('model')} />
            <TextField
              label="Context retention (minutes)"
              inputMode="numeric"
              {...text('context_retention_minutes')}
            />
            <TextField label="Max context messages" inputMode="numeric" {...text('max_context_messages')} />
          </div>
        </div>
      </fieldset>

      <fieldset>
        <legend>Voice settings</legend>
        <div className="stack">
          <div className="form-grid">
            {voiceInputs.map((input) => (
              <TextField
                key={input.key}
                label={input.label}
                name={`voice_settings.${input.key}`}
                hint={input.hint}
                placeholder={input.placeholder}
                value={values.voice[input.key]}
                error={errors[`voice_settings.${input.key}`]}
                onChange={(e) => setVoice(input.key, e.target.value)}
              />
            ))}
          </div>
          <TextAreaField
            label="Other voice settings (JSON)"
            name="voice_settings"
            rows={4}
            className="mono"
            hint="Keys the agent worker reads that have no input above; kept as they are."
            value={values.voice_extra}
            error={errors.voice_settings}
            onChange={(e) => set('voice_extra', e.target.value)}
          />
        </div>
      </fieldset>

      <fieldset>
        <legend>Context webhooks</legend>
        <div className="form-grid">
          <TextField
            label="Voice context webhook URL"
            type="url"
            name="webhooks.voice_context_webhook_url"
            value={values.voice_context_webhook_url}
            error={errors['webhooks.voice_context_webhook_url']}
            onChange={(e) => set('voice_context_webhook_url', e.target.value)}
          />
          <TextField
            label="Text context webhook URL"
            type="url"
            name="webhooks.text_context_webhook_url"
            value={values.text_context_webhook_url}
            error={errors['webhooks.text_context_webhook_url']}
            onChange={(e) => set('text_context_webhook_url', e.target.value)}
          />
        </div>
      </fieldset>

      <div className="actions">
        <Button type="submit" variant="primary" busy={busy}>
          {submitLabel}
        </Button>
        {onCancel && <Button onClick={onCancel}>Cancel</Button>}
      </div>
    </form>
  );
}
