/** One line of the try-it conversation. */
export interface ChatMessage {
  id: number;
  role: 'user' | 'assistant' | 'error';
  text: string;
  /** True while deltas are still arriving. */
  streaming: boolean;
}

export interface ChatState {
  messages: ChatMessage[];
  /** Set by the server's first reply; later messages continue that conversation. */
  conversationId: string | null;
  busy: boolean;
}

export type ChatAction =
  | { type: 'send'; text: string }
  | { type: 'delta'; text: string }
  | { type: 'done'; conversationId: string | null; fullText: string | null }
  | { type: 'fail'; message: string }
  | { type: 'reset' };

export const initialChat: ChatState = { messages: [], conversationId: null, busy: false };

function nextId(messages: ChatMessage[]): number {
  return (messages[messages.length - 1]?.id ?? 0) + 1;
}

/** Replaces the last message, which is the reply being streamed. */
function updateReply(state: ChatState, change: (m: ChatMessage) => ChatMessage): ChatMessage[] {
  const last = state.messages[state.messages.length - 1];
  if (!last || last.role !== 'assistant' || !last.streaming) return state.messages;
  return [...state.messages.slice(0, -1), change(last)];
}

export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case 'send': {
      const id = nextId(state.messages);
      return {
        ...state,
        busy: true,
        messages: [
          ...state.messages,
          { id, role: 'user', text: action.text, streaming: false },
          { id: id + 1, role: 'assistant', text: '', streaming: true },
        ],
      };
    }
    case 'delta':
      return { ...state, messages: updateReply(state, (m) => ({ ...m, text: m.text + action.text })) };
    case 'done':
      return {
        busy: false,
        conversationId: action.conversationId ?? state.conversationId,
        messages: updateReply(state, (m) => ({
          ...m,
          text: action.fullText ?? m.text,
          streaming: false,
        })),
      };
    case 'fail': {
      // A failed reply is replaced by the error, so no partial reply looks final.
      const last = state.messages[state.messages.length - 1];
      const kept = last?.role === 'assistant' && last.streaming ? state.messages.slice(0, -1) : state.messages;
      return {
        ...state,
        busy: false,
        messages: [...kept, { id: nextId(state.messages), role: 'error', text: action.message, streaming: false }],
      };
    }
    case 'reset':
      return initialChat;
  }
}
