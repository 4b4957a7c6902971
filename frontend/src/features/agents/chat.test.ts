import { describe, expect, it } from 'vitest';

import { chatReducer, initialChat, type ChatState } from './chat';

function run(...actions: Parameters<typeof chatReducer>[1][]): ChatState {
  return actions.reduce(chatReducer, initialChat);
}

describe('chatReducer', () => {
  it('streams deltas into the reply', () => {
    const state = run({ type: 'send', text: 'hi' }, { type: 'delta', text: 'Hel' }, { type: 'delta', text: 'lo' });

    expect(state.busy).toBe(true);
    expect(state.messages.map((m) => [m.role, m.text, m.streaming])).toEqual([
      ['user', 'hi', false],
      ['assistant', 'Hello', true],
    ]);
  });

  it('keeps the conversation id and the full text when done', () => {
    const state = run(
      { type: 'send', text: 'hi' },
      { type: 'delta', text: 'Hel' },
      { type: 'done', conversationId: 'conv-1', fullText: 'Hello there' },
    );

    expect(state.busy).toBe(false);
    expect(state.conversationId).toBe('conv-1');
    expect(state.messages[1]).toMatchObject({ text: 'Hello there', streaming: false });
  });

  it('keeps the first conversation id when a later done has none', () => {
    const state = run(
      { type: 'send', text: 'a' },
      { type: 'done', conversationId: 'conv-1', fullText: 'x' },
      { type: 'send', text: 'b' },
      { type: 'done', conversationId: null, fullText: 'y' },
    );

    expect(state.conversationId).toBe('conv-1');
  });

  it('replaces a half reply with the error', () => {
    const state = run({ type: 'send', text: 'hi' }, { type: 'delta', text: 'Hal' }, { type: 'fail', message: 'provider failed' });

    expect(state.busy).toBe(false);
    expect(state.messages.map((m) => m.role)).toEqual(['user', 'error']);
    expect(state.messages[1]?.text).toBe('provider failed');
  });

  it('gives every message its own id', () => {
    const state = run(
      { type: 'send', text: 'a' },
      { type: 'fail', message: 'x' },
      { type: 'send', text: 'b' },
    );

    const ids = state.messages.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('ignores deltas after done', () => {
    const state = run(
      { type: 'send', text: 'a' },
      { type: 'done', conversationId: 'c', fullText: 'done' },
      { type: 'delta', text: 'late' },
    );

    expect(state.messages[1]?.text).toBe('done');
  });
});
