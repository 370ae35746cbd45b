import { useStore } from '../lib/store';
import { formatDuration, waitLevel } from '../lib/time';
import { useNow } from '../stores/clock';
import { countersStore } from '../stores/counters';
import { isSupervisor, sessionStore } from '../stores/session';
import { Avatar } from './Avatar';
import { EmptyState } from './EmptyState';
import styles from './Supervisor.module.css';

function Bar({ value, max }: { value: number; max: number }) {
  return (
    <span className={styles.bar} aria-hidden="true">
      <span style={{ width: `${max > 0 ? Math.max(2, (value / max) * 100) : 0}%` }} />
    </span>
  );
}

/** Unanswered conversations across the team: totals, per agent, per team, and the oldest wait. */
export function Supervisor() {
  const counters = useStore(countersStore);
  const session = useStore(sessionStore);
  const now = useNow(1000);
  if (session.session?.user && !isSupervisor(session)) {
    return (
      <EmptyState icon="chart" title="For supervisors">
        The team overview is available to supervisors and admins.
      </EmptyState>
    );
  }
  const byAgent = Object.entries(counters.by_agent ?? {}).map(([id, n]) => {
    const u = session.users.find((x) => String(x.id) === id);
    return { id: Number(id), name: u?.name ?? `Agent ${id}`, role: u?.role ?? '', n };
  });
  // Agents with nothing waiting are listed too: zero is worth seeing.
  for (const u of session.users) {
    if (!byAgent.some((a) => a.id === u.id) && !u.disabled) byAgent.push({ id: u.id, name: u.name, role: u.role, n: 0 });
  }
  byAgent.sort((a, b) => b.n - a.n || a.name.localeCompare(b.name));
  const byTeam = Object.entries(counters.by_team ?? {}).sort((a, b) => b[1] - a[1]);
  const maxAgent = Math.max(0, ...byAgent.map((a) => a.n));
  const maxTeam = Math.max(0, ...byTeam.map((t) => t[1]));
  const oldest = counters.oldest_waiting_since ? now - Date.parse(counters.oldest_waiting_since) : null;
  const level = oldest === null ? 'ok' : waitLevel(oldest);

  return (
    <div className={styles.page} data-testid="supervisor">
      <div className={styles.cards}>
        <div className={styles.card}>
          <div className={styles.cardLabel}>Unanswered</div>
          <div className={styles.big} data-testid="sup-total">
            {counters.total}
          </div>
          <div className={styles.cardSub}>conversations waiting for a reply</div>
        </div>
        <div className={styles.card}>
          <div className={styles.cardLabel}>Unassigned</div>
          <div className={styles.big} data-testid="sup-unassigned">
            {counters.unassigned}
          </div>
          <div className={styles.cardSub}>waiting with no owner</div>
        </div>
        <div className={`${styles.card} ${styles[`level_${level}`]}`}>
          <div className={styles.cardLabel}>Oldest waiting</div>
          <div className={styles.big} data-testid="sup-oldest">
            {oldest === null ? '—' : formatDuration(oldest)}
          </div>
          <div className={styles.cardSub}>
            {counters.oldest_waiting_since ? `since ${new Date(counters.oldest_waiting_since).toLocaleString()}` : 'nobody is waiting'}
          </div>
        </div>
      </div>
      <div className={styles.tables}>
        <section className={styles.panel}>
          <h2>By agent</h2>
          {byAgent.length === 0 ? (
            <p className={styles.muted}>No agents known yet.</p>
          ) : (
            <table className={styles.table}>
              <tbody>
                {byAgent.map((a) => (
                  <tr key={a.id} data-testid="sup-agent">
                    <td className={styles.nameCell}>
                      <Avatar name={a.name} id={a.id} size={28} />
                      <span>{a.name}</span>
                      {a.role && <span className={styles.role}>{a.role}</span>}
                    </td>
                    <td className={styles.barCell}>
                      <Bar value={a.n} max={maxAgent} />
                    </td>
                    <td className={styles.num}>{a.n}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section className={styles.panel}>
          <h2>By team</h2>
          {byTeam.length === 0 ? (
            <p className={styles.muted}>No team has unanswered conversations.</p>
          ) : (
            <table className={styles.table}>
              <tbody>
                {byTeam.map(([team, n]) => (
                  <tr key={team} data-testid="sup-team">
                    <td className={styles.nameCell}>{team}</td>
                    <td className={styles.barCell}>
                      <Bar value={n} max={maxTeam} />
                    </td>
                    <td className={styles.num}>{n}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>
    </div>
  );
}
