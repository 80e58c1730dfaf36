package io.syncer.spring;

/**
 * The item of the starter's tests, decoded from JSON.
 *
 * @param id a unique id
 * @param bot whether a bot sent it
 */
public record TestEvent(String id, boolean bot) {
}
