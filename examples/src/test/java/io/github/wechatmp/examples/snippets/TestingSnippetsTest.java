package io.github.wechatmp.examples.snippets;

/**
 * Runs the testing snippet of docs/test-kit.md, which is main code so that the page quotes what
 * compiles.
 */
class TestingSnippetsTest extends TestingSnippets.MyBackEndTest {}
