import { useState, type FormEvent } from 'react';
import { useStore } from '../lib/store';
import { connectSandbox, sessionStore, signIn, signOut } from '../stores/session';
import { Icon } from './Icon';
import { QuickRepliesEditor } from './QuickRepliesEditor';
import styles from './Settings.module.css';

/**
 * Where the console gets its inbox: the demo sandbox (a demo hub and
 * simulated customers on this computer) or a real hub, signed in with email
 * and password or an API token.
 */
export function Settings() {
  const s = useStore(sessionStore);
  const session = s.session;
  const [method, setMethod] = useState<'password' | 'token'>('password');
  const [hubUrl, setHubUrl] = useState(session?.mode === 'remote' ? session.hub_url : '');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const [done, setDone] = useState('');
  const [confirmOut, setConfirmOut] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone('');
    const ok = await signIn(method === 'password' ? { hub_url: hubUrl.trim(), email: email.trim(), password } : { hub_url: hubUrl.trim(), token: token.trim() });
    setPassword('');
    setToken('');
    if (ok) setDone('Connected.');
  };

  const validUrl = /^https?:\/\/[^\s]+$/i.test(hubUrl.trim());
  const ready = validUrl && (method === 'password' ? email.trim() !== '' && password !== '' : token.trim() !== '');

  return (
    <div className={styles.page} data-testid="settings">
      <section className={styles.card}>
        <h2>Connection</h2>
        {session?.signed_in ? (
          <div className={styles.current} data-testid="current-connection">
            <Icon name={session.mode === 'demo' ? 'sandbox' : 'plug'} size={22} />
            <div>
              <div className={styles.currentTitle}>
                {session.mode === 'demo' ? 'Demo sandbox' : 'Hub'} {session.mode !== 'demo' && <span className={styles.url}>{session.hub_url}</span>}
              </div>
              <div className={styles.muted}>
                Signed in as {session.user?.name} ({session.user?.email}) · {session.user?.role}
                {' · '}sync: {s.sync.state}
              </div>
            </div>
            <button
              type="button"
              className={confirmOut ? styles.danger : styles.secondary}
              onClick={() => (confirmOut ? void signOut().then(() => setConfirmOut(false)) : setConfirmOut(true))}
              onBlur={() => setConfirmOut(false)}
              title="Signing out forgets this computer's copy of the inbox and any unsent messages"
            >
              {confirmOut ? (s.pending > 0 ? `Drop ${s.pending} unsent and sign out` : 'Click again to sign out') : 'Sign out'}
            </button>
          </div>
        ) : (
          <p className={styles.muted}>Not signed in.</p>
        )}
      </section>

      {session?.demo_available !== false && (
      <section className={styles.card}>
        <h2>Demo sandbox</h2>
        <p className={styles.muted}>
          A demo hub and a simulated WhatsApp Business number run beside the app, with customers writing in. Nothing leaves this computer.
        </p>
        <button type="button" className={styles.primary} onClick={() => void connectSandbox()} disabled={s.signingIn || session?.mode === 'demo'}>
          <Icon name="sandbox" size={16} /> {session?.mode === 'demo' ? 'Using the sandbox' : 'Use the sandbox'}
        </button>
      </section>
      )}

      <section className={styles.card}>
        <h2>Connect to a hub</h2>
        <form onSubmit={submit} className={styles.form} aria-label="Connect to a hub">
          <label className={styles.field}>
            <span>Hub URL</span>
            <input type="url" placeholder="https://hub.example.com" value={hubUrl} onChange={(e) => setHubUrl(e.target.value)} autoComplete="url" required />
          </label>
          <div className={styles.segmented} role="radiogroup" aria-label="Sign in with">
            <button type="button" role="radio" aria-checked={method === 'password'} onClick={() => setMethod('password')}>
              Email and password
            </button>
            <button type="button" role="radio" aria-checked={method === 'token'} onClick={() => setMethod('token')}>
              API token
            </button>
          </div>
          {method === 'password' ? (
            <>
              <label className={styles.field}>
                <span>Email</span>
                <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="username" />
              </label>
              <label className={styles.field}>
                <span>Password</span>
                <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" />
              </label>
            </>
          ) : (
            <label className={styles.field}>
              <span>Token</span>
              <input type="password" value={token} onChange={(e) => setToken(e.target.value)} autoComplete="off" placeholder="sbt_…" />
            </label>
          )}
          {s.signInError && (
            <p className={styles.error} role="alert">
              {s.signInError.message} <span className={styles.code}>({s.signInError.code})</span>
            </p>
          )}
          {done && (
            <p className={styles.ok} role="status">
              {done}
            </p>
          )}
          <div>
            <button type="submit" className={styles.primary} disabled={!ready || s.signingIn}>
              {s.signingIn ? 'Connecting…' : 'Connect'}
            </button>
          </div>
        </form>
      </section>

      <QuickRepliesEditor />
    </div>
  );
}
