import type { BuildInfo } from '../stores/system';
import type { AppError } from '../lib/errors';
import styles from './Card.module.css';

interface BuildInfoCardProps {
  build: BuildInfo | null;
  error: AppError | null;
}

/** Shows what is running, as reported by Go's Version binding. */
export function BuildInfoCard({ build, error }: BuildInfoCardProps) {
  return (
    <section className={styles.card} aria-labelledby="build-title">
      <h2 id="build-title" className={styles.title}>
        This build
      </h2>
      {error && (
        <p className={styles.error} role="alert">
          {error.message}
        </p>
      )}
      {!error && !build && <p className={styles.muted}>Asking Go…</p>}
      {build && (
        <dl className={styles.facts} data-testid="build-info">
          <dt>Version</dt>
          <dd data-testid="build-version">
            {build.version} <span className={styles.badge}>{build.build_type}</span>
          </dd>
          <dt>Commit</dt>
          <dd>{build.commit || '—'}</dd>
          <dt>Go</dt>
          <dd data-testid="build-go">{build.go_version}</dd>
          <dt>Wails</dt>
          <dd>{build.wails_version || '—'}</dd>
          <dt>Platform</dt>
          <dd>
            {build.os}/{build.arch}
          </dd>
          <dt>Started</dt>
          <dd>{new Date(build.started_at).toLocaleString()}</dd>
        </dl>
      )}
    </section>
  );
}
