// The frame of the pages a person sees before they are signed in (sign-up, join): the brand, a
// title and the form, on the sign-in page's card.
import { useId, type ReactNode } from "react";
import { LanguageSelect } from "./LanguageSelect";

export function PublicPage({ title, intro, children, wide = false }: { title: string; intro: ReactNode; children: ReactNode; wide?: boolean }) {
  const titleId = useId();
  return (
    <div className="signin">
      <section className={`card${wide ? " signup-card" : ""}`} aria-labelledby={titleId}>
        <PublicBrand />
        <h1 id={titleId}>{title}</h1>
        <div className="muted" style={{ marginTop: 0, marginBottom: 16 }}>
          {intro}
        </div>
        {children}
      </section>
    </div>
  );
}

/** The brand and the language switch, above a signed-out page's title. */
export function PublicBrand() {
  return (
    <div className="public-brand">
      <div className="brand" style={{ color: "var(--text)", padding: 0 }}>
        <span className="brand-mark" aria-hidden="true">
          m
        </span>
        mAI Gateway
      </div>
      <LanguageSelect />
    </div>
  );
}
