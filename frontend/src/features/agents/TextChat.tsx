import { useEffect, useReducer, useRef, useState, type FormEvent } from 'react';
import { useClient } from 'urql';

import { Button } from '@/components/Button';
import { TextAreaField } from '@/components/Field';
import { Notice } from '@/components/Notice';
import { Card } from '@/components/PageHeader';
import type { AgentFieldsFragment } from '@/gql/graphql';
import { describeError } from '@/lib/errors';
import { useCurrentUser } from '@/lib/session/context';

import { TriggerAgentStreamSubscription } from './api';
import { chatReducer, initialChat } from './chat';

export function TextChat({ agent }: { agent: AgentFieldsFragment }) {
  const client = useClient();
  const user = useCurrentUser();
  const [chat, dispatch] = useReducer(chatReducer, initialChat);
  const [draft, setDraft] = useState('');
  const unsubscribe = useRef<(() => void) | null>(null);
  const log = useRef<HTMLDivElement>(null);

  useEffect(() => () => unsubscribe.current?.(), []);
  useEffect(() => {
    log.current?.scrollTo({ top: log.current.scrollHeight });
  }, [chat.messages]);

  function send(event: FormEvent) {
    event.preventDefault();
    const message = draft.trim();
    if (!message || chat.busy) return;
    setDraft('');
    dispatch({ type: 'send', text: message });
    const input = {
      agentSlug: agent.slug,
      clientId: agent.clientId,
      mode: 'TEXT' as const,
      userId: `admin:${user.id}`,
      message,
      conversationId: chat.conversationId,
      platform: 'admin-try-it',
    };
    const subscription = client
      .subscription(TriggerAgentStreamSubscription, { input })
      .subscribe((result) => {
        if (result.error) {
          dispatch({ type: 'fail', message: describeProblem(result.error) });
          return;
        }
        const event = result.data?.triggerAgentStream;
        if (!event) return;
        if (event.type === 'DELTA') dispatch({ type: 'delta', text: event.delta ?? '' });
        if (event.type === 'DONE') {
          dispatch({ type: 'done', conversationId: event.conversationId, fullText: event.fullText });
        }
        if (event.type === 'ERROR') {
          const reason = event.errorMessage ?? event.errorCode ?? 'the agent failed';
          dispatch({ type: 'fail', message: `The agent could not reply: ${reason}` });
        }
      });
    unsubscribe.current = () => subscription.unsubscribe();
  }

  const disabledReason = !agent.enabled
    ? 'The agent is disabled, so it rejects messages.'
    : !agent.textChatEnabled
      ? 'Text chat is turned off for this agent.'
      : null;

  return (
    <Card
      title="Text chat"
      labelledBy="text-chat-heading"
      description="Messages go through the same trigger as a website's, and the reply streams in."
      actions={
        chat.messages.length > 0 && (
          <Button size="small" onClick={() => dispatch({ type: 'reset' })} disabled={chat.busy}>
            New conversation
          </Button>
        )
      }
    >
      {disabledReason && <Notice tone="warning">{disabledReason}</Notice>}
      <div className="chat" ref={log} role="log" aria-live="polite" aria-label="Conversation">
        {chat.messages.length === 0 && <p className="muted">No messages yet. Say hello.</p>}
        {chat.messages.map((m) => (
          <div key={m.id} className={`bubble ${m.role}`} data-testid={`chat-${m.role}`}>
            {m.text || (m.streaming ? '…' : '')}
            {m.role === 'assistant' && m.streaming && <span className="meta">typing…</span>}
          </div>
        ))}
      </div>
      {chat.conversationId && (
        <p className="muted" style={{ fontSize: '0.85rem' }}>
          Conversation <span className="mono">{chat.conversationId}</span>
        </p>
      )}
      <form className="form" onSubmit={send} style={{ marginTop: '1rem', maxWidth: 'none' }}>
        <TextAreaField
          label="Message"
          rows={2}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) send(e);
          }}
          hint="Enter sends; Shift+Enter starts a new line."
        />
        <div className="actions">
          <Button type="submit" variant="primary" busy={chat.busy} disabled={!draft.trim()}>
            Send
          </Button>
        </div>
      </form>
    </Card>
  );
}

function describeProblem(error: unknown): string {
  const problem = describeError(error, 'get a reply');
  return `${problem.message} ${problem.hint}`;
}
