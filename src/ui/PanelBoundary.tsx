// Catches a render error inside one panel (or one run of the runs list) so the rest of the app
// keeps working: the panel shows what went wrong and, where given, a way out (Delete for a run
// whose data no longer fits the app) instead of React unmounting the whole page.
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  /** What this boundary holds, for the message ("The Runs panel"). */
  label: string;
  children: ReactNode;
  /** Extra controls shown with the message (e.g. Delete the run that failed). */
  actions?: ReactNode;
  /** Rendered as a list item (inside <ul>) instead of a section. */
  asItem?: boolean;
}

export class PanelBoundary extends Component<Props, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: unknown): { error: Error } {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.warn(`${this.props.label} failed to render`, error, info.componentStack);
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    const body = (
      <>
        <p className="field-error" role="alert">
          {this.props.label} could not be shown: {error.message}
        </p>
        <div className="button-row">
          {this.props.actions}
          <button type="button" className="small" onClick={() => this.setState({ error: null })}>
            Try again
          </button>
        </div>
      </>
    );
    return this.props.asItem ? (
      <li data-testid="render-error">{body}</li>
    ) : (
      <section className="panel" data-testid="render-error">
        {body}
      </section>
    );
  }
}
