// pgvector's versions, and what to do about a missing, old or buggy one.
import { Card, Facts } from '@/components/ui/card';
import type { ExtensionInfo, Section, VectorHealthReport } from '@/lib/schemas/vector-health';
import { NoticeBox, SectionView } from './parts';

export function ExtensionCard({ section, server }: { section: Section<ExtensionInfo>; server: VectorHealthReport['server'] }) {
  return (
    <Card title="pgvector">
      <SectionView section={section} what="the extension">
        {(ext) => (
          <div className="space-y-3">
            <Facts
              rows={[
                ['Installed in this database', <span key="i" data-testid="vector-installed-version">{ext.installedVersion ?? 'not installed'}</span>],
                ['Available on the server', <span key="a">{ext.availableVersion ?? 'not available'}</span>],
                ['Schema', <code key="s">{ext.schema ?? '—'}</code>],
                ['PostgreSQL', <span key="p">{server.version}</span>],
              ]}
            />
            {ext.notices.map((n) => (
              <NoticeBox key={n.title} notice={n} />
            ))}
          </div>
        )}
      </SectionView>
    </Card>
  );
}
