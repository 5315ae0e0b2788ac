package io.chatroom.bench;

/** Where a run happened, so a result can be compared with the right others. */
public record Machine(String cpu, int cores, long memoryBytes, String os, String java, String node) {}
