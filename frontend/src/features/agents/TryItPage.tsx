import { useAgentOutlet } from './AgentLayout';
import { TextChat } from './TextChat';
import { VoiceSession } from './VoiceSession';

/** Try it: talk to the agent as a website visitor would. */
export function TryItPage() {
  const { agent, voiceAvailable } = useAgentOutlet();
  return (
    <>
      <TextChat agent={agent} />
      <VoiceSession agent={agent} voiceAvailable={voiceAvailable} />
    </>
  );
}
