package io.github.wechatmp.examples.snippets;

/**
 * Runs the README's testing snippet, which is main code so that the README quotes what compiles.
 */
class TestingSnippetsTest extends TestingSnippets.MyBackEndTest {}
