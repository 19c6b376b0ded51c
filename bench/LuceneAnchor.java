// Lucene 8.8's Turkish search on the same articles and queries as bench/speed.py, so that
// haberara's speed is compared with Lucene on the same machine in the same hour.
// Run by bench/lucene_anchor.py (it compiles this file against Debian's liblucene8-java).
//
//   build TSV INDEX          index id<TAB>title<TAB>body lines (body newlines as U+2029)
//   search INDEX QUERIES WARMUP ROUNDS MODE OUT
//                            warm the JVM with ROUNDS passes over WARMUP, then time each of
//                            QUERIES once: top 10 with one highlighted body passage and the
//                            stored id and title, single thread; MODE "or" (Elasticsearch's
//                            match default) or "and" (every term in title or body)

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tr.TurkishAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.uhighlight.UnifiedHighlighter;
import org.apache.lucene.store.FSDirectory;

public final class LuceneAnchor {
    private static final Analyzer ANALYZER = new TurkishAnalyzer();

    public static void main(String[] args) throws IOException {
        if (args.length == 3 && args[0].equals("build")) {
            build(Paths.get(args[1]), Paths.get(args[2]));
        } else if (args.length == 7 && args[0].equals("search")) {
            search(Paths.get(args[1]), lines(Paths.get(args[2])), lines(Paths.get(args[3])),
                   Integer.parseInt(args[4]), args[5], Paths.get(args[6]));
        } else {
            System.err.println("usage: build TSV INDEX | search INDEX QUERIES WARMUP ROUNDS MODE OUT");
            System.exit(2);
        }
    }

    static void build(Path tsv, Path indexDir) throws IOException {
        IndexWriterConfig config = new IndexWriterConfig(ANALYZER);
        config.setOpenMode(IndexWriterConfig.OpenMode.CREATE);
        long started = System.nanoTime();
        int docs = 0;
        try (IndexWriter writer = new IndexWriter(FSDirectory.open(indexDir), config);
             BufferedReader reader = Files.newBufferedReader(tsv, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                String[] parts = line.split("\t", 3);
                Document doc = new Document();
                doc.add(new StringField("id", parts[0], Field.Store.YES));
                doc.add(new TextField("title", parts[1], Field.Store.YES));
                doc.add(new TextField("body", parts[2].replace('\u2029', '\n'), Field.Store.YES));
                writer.addDocument(doc);
                docs++;
            }
            writer.commit();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        int segments;
        try (DirectoryReader reader = DirectoryReader.open(FSDirectory.open(indexDir))) {
            segments = reader.leaves().size();
        }
        System.out.printf("{\"docs\": %d, \"seconds\": %.3f, \"segments\": %d}%n", docs, seconds, segments);
    }

    static void search(Path indexDir, List<String> queries, List<String> warmup, int rounds,
                       String mode, Path out) throws IOException {
        try (DirectoryReader reader = DirectoryReader.open(FSDirectory.open(indexDir))) {
            IndexSearcher searcher = new IndexSearcher(reader);
            UnifiedHighlighter highlighter = new UnifiedHighlighter(searcher, ANALYZER);
            for (int round = 0; round < rounds; round++) {
                for (String text : warmup) {
                    run(searcher, highlighter, text, mode);
                }
            }
            List<String> rows = new ArrayList<>();
            for (String text : queries) {
                long started = System.nanoTime();
                int hits = run(searcher, highlighter, text, mode);
                double ms = (System.nanoTime() - started) / 1e6;
                rows.add(String.format("{\"ms\": %.3f, \"hits\": %d}", ms, hits));
            }
            try (PrintWriter writer = new PrintWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8))) {
                writer.println("[" + String.join(",\n", rows) + "]");
            }
        }
    }

    /** One reader's search: the page of 10, its body passages, ids and titles. */
    static int run(IndexSearcher searcher, UnifiedHighlighter highlighter, String text, String mode)
            throws IOException {
        Query query = query(text, mode);
        if (query == null) {
            return 0;
        }
        TopDocs top = searcher.search(query, 10);
        String[] passages = highlighter.highlight("body", query, top, 1);
        int shown = 0;
        for (ScoreDoc hit : top.scoreDocs) {
            Document doc = searcher.doc(hit.doc);
            if (doc.get("id") != null && doc.get("title") != null) {
                shown++;
            }
        }
        return passages.length == shown ? top.scoreDocs.length : -1;
    }

    /** Each analysed term in title or body; SHOULD ("or") or MUST ("and") per term. */
    static Query query(String text, String mode) throws IOException {
        Set<String> terms = new LinkedHashSet<>();
        try (TokenStream stream = ANALYZER.tokenStream("body", text)) {
            CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
            stream.reset();
            while (stream.incrementToken()) {
                terms.add(term.toString());
            }
            stream.end();
        }
        if (terms.isEmpty()) {
            return null;
        }
        BooleanClause.Occur occur = mode.equals("and") ? BooleanClause.Occur.MUST : BooleanClause.Occur.SHOULD;
        BooleanQuery.Builder builder = new BooleanQuery.Builder();
        for (String term : terms) {
            BooleanQuery.Builder either = new BooleanQuery.Builder();
            either.add(new TermQuery(new Term("title", term)), BooleanClause.Occur.SHOULD);
            either.add(new TermQuery(new Term("body", term)), BooleanClause.Occur.SHOULD);
            builder.add(either.build(), occur);
        }
        return builder.build();
    }

    static List<String> lines(Path path) throws IOException {
        return Files.readAllLines(path, StandardCharsets.UTF_8);
    }
}
