import { Link } from 'react-router';

import { EmptyState } from '@/components/EmptyState';

export function NotFoundPage() {
  return (
    <div className="card">
      <EmptyState title="Page not found" action={<Link to="/">Go to the dashboard</Link>}>
        The address does not match any page of the admin interface.
      </EmptyState>
    </div>
  );
}
