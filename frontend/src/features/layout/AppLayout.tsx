import { useEffect, useState } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';

import { Button } from '@/components/Button';
import { useCurrentUser, useSession } from '@/lib/session/context';

export function AppLayout() {
  const user = useCurrentUser();
  const { signOut } = useSession();
  const location = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);

  // Close the small-screen menu after navigating.
  useEffect(() => setMenuOpen(false), [location.pathname]);

  const links = [
    { to: '/', label: 'Dashboard', end: true },
    { to: '/clients', label: 'Clients' },
    { to: '/agents', label: 'Agents' },
    ...(user.platformAdmin ? [{ to: '/users', label: 'Users' }] : []),
    { to: '/health', label: 'Health' },
  ];

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">
          <img src={`${import.meta.env.BASE_URL}favicon.svg`} alt="" />
          Sidekick Forge
        </span>
        <Button
          variant="ghost"
          aria-expanded={menuOpen}
          aria-controls="sidebar"
          onClick={() => setMenuOpen((open) => !open)}
        >
          Menu
        </Button>
      </header>
      <aside id="sidebar" className={menuOpen ? 'sidebar open' : 'sidebar'}>
        <NavLink to="/" className="brand">
          <img src={`${import.meta.env.BASE_URL}favicon.svg`} alt="" />
          Sidekick Forge
        </NavLink>
        <nav className="nav" aria-label="Main">
          {links.map((link) => (
            <NavLink key={link.to} to={link.to} end={link.end}>
              {link.label}
            </NavLink>
          ))}
        </nav>
        <div className="sidebar-footer">
          <span>
            Signed in as <strong>{user.email}</strong>
            <br />
            {user.platformAdmin ? 'Platform admin' : 'Client access'}
          </span>
          <Button size="small" onClick={() => void signOut()}>
            Sign out
          </Button>
        </div>
      </aside>
      <main id="main" className="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
