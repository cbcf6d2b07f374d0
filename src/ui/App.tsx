import { CapabilityBadge } from './capabilities/CapabilityBadge.tsx';
import { CapabilityNotice } from './capabilities/CapabilityNotice.tsx';
import { AnswerPanel } from './answer/AnswerPanel.tsx';
import { useCapabilities } from '../client/useCapabilities.ts';
import { ErrorBanner } from './errors/ErrorBanner.tsx';
import { HistoryPanel } from './history/HistoryPanel.tsx';
import { ImageSlots } from './images/ImageSlots.tsx';
import { ImageViewer } from './viewer/ImageViewer.tsx';
import { Header } from './layout/Header.tsx';
import { MetricsPanel } from './metrics/MetricsPanel.tsx';
import { ModelPanel } from './model/ModelPanel.tsx';
import { OfflineNotice } from './offline/OfflineNotice.tsx';
import { UpdatePrompt } from './offline/UpdatePrompt.tsx';
import { RunControls } from './run/RunControls.tsx';
import { TaskPicker } from './tasks/TaskPicker.tsx';
import { MethodsPanel } from './methods/MethodsPanel.tsx';
import { RankPanel } from './rank/RankPanel.tsx';
import { useTaskStore } from '../state/useTaskStore.ts';

export function App() {
  const { status, capabilities } = useCapabilities();
  const mode = useTaskStore((state) => state.mode);
  return (
    <div className="min-h-screen bg-slate-50 text-slate-900 dark:bg-slate-950 dark:text-slate-100">
      <Header>
        <CapabilityBadge status={status} capabilities={capabilities} />
      </Header>
      <main className="mx-auto max-w-7xl space-y-4 px-4 py-6 sm:px-6">
        <UpdatePrompt />
        <OfflineNotice />
        <ErrorBanner />
        {capabilities !== null && <CapabilityNotice capabilities={capabilities} />}
        <div className="grid gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
          {mode === 'rank' || mode === 'methods' ? (
            <div className="space-y-6">
              {mode === 'rank' ? <RankPanel /> : <MethodsPanel />}
              <TaskPicker />
            </div>
          ) : (
            <div className="space-y-6">
              <ImageSlots />
              <ImageViewer />
              <TaskPicker />
            </div>
          )}
          <div className="space-y-6">
            <ModelPanel />
            {mode === 'task' && (
              <>
                <RunControls />
                <AnswerPanel />
                <MetricsPanel />
              </>
            )}
            <HistoryPanel />
          </div>
        </div>
      </main>
    </div>
  );
}
