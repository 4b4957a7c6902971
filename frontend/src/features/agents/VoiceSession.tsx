import { useEffect, useRef, useState } from 'react';
import type { Room } from 'livekit-client';
import { useMutation } from 'urql';

import { Button } from '@/components/Button';
import { ErrorNotice, Notice } from '@/components/Notice';
import { Card } from '@/components/PageHeader';
import type { AgentFieldsFragment, StartVoiceSessionMutation as StartVoiceResult } from '@/gql/graphql';
import { useCurrentUser } from '@/lib/session/context';

import { StartVoiceSessionMutation } from './api';

type Voice = NonNullable<StartVoiceResult['triggerAgent']['voice']>;

type Connection =
  | { state: 'idle' }
  | { state: 'connecting' }
  | { state: 'connected'; participants: string[]; microphone: 'on' | 'unavailable' }
  | { state: 'failed'; error: unknown };

export function VoiceSession({
  agent,
  voiceAvailable,
}: {
  agent: AgentFieldsFragment;
  voiceAvailable: boolean;
}) {
  const user = useCurrentUser();
  const [result, startSession] = useMutation(StartVoiceSessionMutation);
  const voice = result.data?.triggerAgent.voice ?? null;
  const canStart = agent.enabled && agent.voiceChatEnabled && voiceAvailable;

  function start() {
    const roomName = `try-${agent.slug}-${Date.now().toString(36)}`;
    void startSession({
      input: {
        agentSlug: agent.slug,
        clientId: agent.clientId,
        mode: 'VOICE',
        userId: `admin:${user.id}`,
        roomName,
        platform: 'admin-try-it',
      },
    });
  }

  return (
    <Card
      title="Voice session"
      labelledBy="voice-heading"
      description="Creates a LiveKit room, dispatches the agent worker into it and returns a token for you."
      actions={
        <Button variant="primary" busy={result.fetching} disabled={!canStart} onClick={start}>
          {voice ? 'Start another session' : 'Start voice session'}
        </Button>
      }
    >
      {!voiceAvailable && (
        <Notice tone="warning">
          This client has no LiveKit server, and the platform has no default. Set one in the
          client's LiveKit settings.
        </Notice>
      )}
      {voiceAvailable && !agent.voiceChatEnabled && (
        <Notice tone="warning">Voice chat is turned off for this agent.</Notice>
      )}
      {result.error && <ErrorNotice error={result.error} action="start the voice session" />}
      {voice && <VoiceDetails key={voice.roomName} voice={voice} />}
    </Card>
  );
}

function VoiceDetails({ voice }: { voice: Voice }) {
  const [showToken, setShowToken] = useState(false);
  return (
    <>
      <dl className="kv" data-testid="voice-session">
        <dt>Room</dt>
        <dd className="mono">{voice.roomName}</dd>
        <dt>Room status</dt>
        <dd>
          {voice.roomStatus}, {voice.participants} participant{voice.participants === 1 ? '' : 's'}
        </dd>
        <dt>Server</dt>
        <dd className="mono">{voice.serverUrl}</dd>
        <dt>Agent dispatch</dt>
        <dd>
          {voice.dispatch.status}
          {voice.dispatch.reason ? ` (${voice.dispatch.reason})` : ''}
        </dd>
        <dt>User token</dt>
        <dd className="mono">
          {showToken ? voice.userToken : `${voice.userToken.slice(0, 12)}…`}{' '}
          <Button size="small" variant="ghost" onClick={() => setShowToken((s) => !s)}>
            {showToken ? 'Hide' : 'Show'}
          </Button>
        </dd>
      </dl>
      <JoinRoom voice={voice} />
    </>
  );
}

/** Joins the room with livekit-client, loaded only when needed. */
function JoinRoom({ voice }: { voice: Voice }) {
  const [connection, setConnection] = useState<Connection>({ state: 'idle' });
  const room = useRef<Room | null>(null);
  const audio = useRef<HTMLDivElement>(null);

  useEffect(() => () => void room.current?.disconnect(), []);

  async function join() {
    setConnection({ state: 'connecting' });
    try {
      const { Room, RoomEvent, Track } = await import('livekit-client');
      const r = new Room({ adaptiveStream: true });
      room.current = r;
      const update = (microphone: 'on' | 'unavailable') =>
        setConnection({
          state: 'connected',
          microphone,
          participants: [...r.remoteParticipants.values()].map((p) => p.identity),
        });
      r.on(RoomEvent.TrackSubscribed, (track) => {
        if (track.kind === Track.Kind.Audio) audio.current?.append(track.attach());
      });
      r.on(RoomEvent.Disconnected, () => setConnection({ state: 'idle' }));
      await r.connect(voice.serverUrl, voice.userToken);
      let microphone: 'on' | 'unavailable' = 'on';
      try {
        await r.localParticipant.setMicrophoneEnabled(true);
      } catch {
        microphone = 'unavailable';
      }
      update(microphone);
      r.on(RoomEvent.ParticipantConnected, () => update(microphone));
      r.on(RoomEvent.ParticipantDisconnected, () => update(microphone));
    } catch (error) {
      room.current = null;
      setConnection({ state: 'failed', error });
    }
  }

  return (
    <div style={{ marginTop: '1rem' }}>
      <div ref={audio} hidden />
      {connection.state === 'failed' && <ErrorNotice error={connection.error} action="join the room" />}
      {connection.state === 'connected' && (
        <Notice tone="success">
          <p>
            Connected. Microphone:{' '}
            {connection.microphone === 'on' ? 'on' : 'not available (the browser gave no permission)'}.
          </p>
          <p>
            Others in the room:{' '}
            {connection.participants.length > 0 ? connection.participants.join(', ') : 'nobody yet'}
          </p>
        </Notice>
      )}
      <div className="actions">
        {connection.state === 'connected' ? (
          <Button onClick={() => void room.current?.disconnect()}>Leave room</Button>
        ) : (
          <Button busy={connection.state === 'connecting'} onClick={() => void join()}>
            Join room in this browser
          </Button>
        )}
      </div>
    </div>
  );
}
