import { render } from 'preact';
import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { signOut, useSession } from './api.ts';
import { Audit } from './pages/Audit.tsx';
import { DeadLetter } from './pages/DeadLetter.tsx';
import { DeadLetters } from './pages/DeadLetters.tsx';
import { Journey } from './pages/Journey.tsx';
import { Overview } from './pages/Overview.tsx';
import { ParkedKeys } from './pages/ParkedKeys.tsx';
import { SignIn } from './pages/SignIn.tsx';
import 'uplot/dist/uPlot.min.css';
import './styles.css';

export const BASE = '/console';

const PAGES = [
  { href: `${BASE}/`, label: 'Overview' },
  { href: `${BASE}/dead-letters`, label: 'Dead letters' },
  { href: `${BASE}/parked-keys`, label: 'Parked keys' },
  { href: `${BASE}/journey`, label: 'Journey' },
  { href: `${BASE}/audit`, label: 'Audit' },
];

function Navigation() {
  const { path } = useLocation();
  const current = (href: string) => (href === `${BASE}/` ? path === href || path === BASE : path.startsWith(href));
  return (
    <nav aria-label="Console">
      <ul>
        {PAGES.map((page) => (
          <li key={page.href}>
            <a href={page.href} aria-current={current(page.href) ? 'page' : undefined}>{page.label}</a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function NotFound() {
  return (
    <section aria-labelledby="not-found">
      <h1 id="not-found">No such page</h1>
      <p><a href={`${BASE}/`}>Back to the overview</a></p>
    </section>
  );
}

function App() {
  const session = useSession();
  return (
    <LocationProvider scope={BASE}>
      <header class="top">
        <a class="brand" href={`${BASE}/`}>Payments console</a>
        {session !== undefined && <Navigation />}
        {session !== undefined && (
          <div class="who">
            <span data-testid="signed-in-as">Signed in as <strong>{session.subject}</strong> ({session.role})</span>
            <button type="button" onClick={signOut}>Sign out</button>
          </div>
        )}
      </header>
      <main id="main">
        {session === undefined ? <SignIn /> : (
          <Router>
            <Route path={`${BASE}/`} component={Overview} />
            <Route path={BASE} component={Overview} />
            <Route path={`${BASE}/dead-letters`} component={DeadLetters} />
            <Route path={`${BASE}/dead-letters/:id`} component={DeadLetter} />
            <Route path={`${BASE}/parked-keys`} component={ParkedKeys} />
            <Route path={`${BASE}/journey`} component={Journey} />
            <Route path={`${BASE}/audit`} component={Audit} />
            <Route default component={NotFound} />
          </Router>
        )}
      </main>
    </LocationProvider>
  );
}

render(<App />, document.getElementById('app')!);
