package io.syncer.examples;

/** A forward-index document, as the indexing platform pushes it. */
public final class Document {
    /** Document id. */
    public long docId;
    /** Title. */
    public String title;
    /** Body text. */
    public String body;
    /** Source URL. */
    public String url;
}
