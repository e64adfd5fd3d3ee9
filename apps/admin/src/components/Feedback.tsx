// Loading, empty and error states: every page shows one of these instead of a blank area.
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { errorMessage } from "../lib/errors";

export function Skeleton({ lines = 3, height = "1rem" }: { lines?: number; height?: string }) {
  const { t } = useTranslation();
  return (
    <div className="skeleton-group" aria-busy="true" aria-live="polite">
      <span className="visually-hidden">{t("feedback.loading")}</span>
      {Array.from({ length: lines }, (_, i) => (
        <div key={i} className="skeleton" style={{ height, width: `${100 - ((i * 17) % 40)}%` }} />
      ))}
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty-state">
      <p className="empty-title">{title}</p>
      {children ? <div className="empty-body">{children}</div> : null}
      {action ? <div className="empty-action">{action}</div> : null}
    </div>
  );
}

export function ErrorNotice({ error, title, onRetry }: { error: unknown; title?: string; onRetry?: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="notice notice-error" role="alert">
      <strong>{title ?? t("feedback.loadFailed")}.</strong> {errorMessage(error)}
      {onRetry ? (
        <button type="button" className="link-button" onClick={onRetry}>
          {t("feedback.tryAgain")}
        </button>
      ) : null}
    </div>
  );
}

export function Notice({ tone = "info", children }: { tone?: "info" | "success" | "warning" | "error"; children: ReactNode }) {
  return (
    <div className={`notice notice-${tone}`} role={tone === "error" || tone === "warning" ? "alert" : "status"}>
      {children}
    </div>
  );
}

export function Badge({ tone = "neutral", children }: { tone?: "neutral" | "success" | "warning" | "danger" | "info"; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

const STATUS_TONE = { ok: "success", error: "danger", aborted: "warning", incomplete: "info" } as const;
export function StatusBadge({ status }: { status: keyof typeof STATUS_TONE }) {
  const { t } = useTranslation();
  return <Badge tone={STATUS_TONE[status]}>{t(`status.${status}`)}</Badge>;
}
