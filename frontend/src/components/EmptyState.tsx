import type { ReactNode } from 'react';
import { Icon, type IconName } from './Icon';
import styles from './EmptyState.module.css';

interface EmptyStateProps {
  icon: IconName;
  title: string;
  children: ReactNode;
}

/** A centred placeholder for a view with nothing to show yet. */
export function EmptyState({ icon, title, children }: EmptyStateProps) {
  return (
    <div className={styles.empty}>
      <span className={styles.icon}>
        <Icon name={icon} size={40} />
      </span>
      <h2 className={styles.title}>{title}</h2>
      <p className={styles.body}>{children}</p>
    </div>
  );
}
