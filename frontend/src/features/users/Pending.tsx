import { Notice } from '@/components/Notice';
import { Card, PageHeader } from '@/components/PageHeader';

// TODO: replace with real pages once the schema has users, memberships and
// auditLog(clientId); codegen rejects operations on fields that do not exist.
function PendingNotice({ what }: { what: string }) {
  return (
    <Notice tone="warning">
      <p>
        <strong>This server's GraphQL API does not offer {what} yet.</strong>
      </p>
      <p>The page fills in once the server provides it; nothing needs to be set up here.</p>
    </Notice>
  );
}

export function UsersPage() {
  return (
    <>
      <PageHeader title="Users" description="People who sign in to this admin interface, and their client roles." />
      <PendingNotice what="users and memberships" />
    </>
  );
}

export function ClientMembers() {
  return (
    <Card title="Members" labelledBy="members-heading" description="Users with a role in this client.">
      <PendingNotice what="client memberships" />
    </Card>
  );
}

export function ClientAuditLog() {
  return (
    <Card title="Audit log" labelledBy="audit-heading" description="Changes to this client, newest first.">
      <PendingNotice what="the audit log" />
    </Card>
  );
}
